from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Organizations and people")

    def ready(self):
        from apps.accounts import signals  # noqa: F401  (closes live sockets when a session ends)
        from apps.accounts.graphql.authentication import api_token_graphql_authenticate
        from apps.core.graphql.registry import graphql_registry

        graphql_registry.authenticate_with("bearer", api_token_graphql_authenticate)
        _name_axes_in_the_admin()


def _name_axes_in_the_admin() -> None:
    from django.apps import apps

    from apps.accounts.axes_labels import APP_NAME

    if apps.is_installed("axes"):
        apps.get_app_config("axes").verbose_name = APP_NAME
