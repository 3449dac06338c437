"""The assistant's part of the dashboard (apps/accounts/dashboard.py): a flow drafted from a sentence."""

from django.utils.translation import gettext_lazy as _

from apps.accounts.dashboard import StartChoice, dashboard


def register() -> None:
    dashboard.add_choice(
        StartChoice(
            key="sentence",
            order=20,
            title=_("Start from a sentence"),
            help=_("Say what should happen; the assistant drafts the flow for you to check."),
            template="assistant/_start_box.html",
        )
    )
