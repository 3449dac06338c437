"""The marketplace's part of the dashboard (apps/accounts/dashboard.py): starting from a template."""

from django.utils.translation import gettext_lazy as _

from apps.accounts.dashboard import StartChoice, dashboard


def register() -> None:
    dashboard.add_choice(
        StartChoice(
            key="template",
            order=10,
            title=_("Pick a template"),
            help=_("A ready-made flow with sample data: install it and it tests green at once."),
            url="/marketplace/",
            link_label=_("Browse templates"),
        )
    )
