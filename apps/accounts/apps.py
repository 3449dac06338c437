from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Organizations and people")

    def ready(self):
        from apps.accounts import signals  # noqa: F401  (closes live sockets when a session ends)
