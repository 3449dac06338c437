"""The flows app's part of the dashboard (apps/accounts/dashboard.py): creating a first flow and turning it on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.accounts.dashboard import FirstStep, StartChoice, dashboard


def _has_flow(request) -> bool:
    from apps.flows.models import Flow

    return Flow.objects.exists()


def _has_live_flow(request) -> bool:
    from apps.flows.models import Flow

    return Flow.objects.filter(active=True, published_version__isnull=False).exists()


def _newest_flow_page(request) -> str:
    from apps.flows.models import Flow

    newest = Flow.objects.order_by("-updated_at", "-id").values_list("pk", flat=True).first()
    return f"/flows/{newest}/" if newest else "/flows/"


def register() -> None:
    dashboard.add_step(
        FirstStep(
            key="create",
            order=10,
            title=_("Create your first flow"),
            help=_("Start from a template, describe it in a sentence, or start blank."),
            done=_has_flow,
            link=lambda request: "#start-choices",
            link_label=_("Choose how to start"),
        )
    )
    dashboard.add_step(
        FirstStep(
            key="turn_on",
            order=30,
            title=_("Publish it and turn it on"),
            help=_("Publish in the editor, then turn the flow on: its webhook or schedule starts real runs."),
            done=_has_live_flow,
            link=_newest_flow_page,
            link_label=_("Open the flow"),
        )
    )
    dashboard.add_choice(
        StartChoice(
            key="blank",
            order=30,
            title=_("Start blank"),
            help=_("An empty flow in the editor: add a trigger and steps yourself."),
            template="flows/_start_blank.html",
        )
    )
