"""The runs app's part of the dashboard (apps/accounts/dashboard.py): the "test it" step and recent runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.dashboard import DashboardPanel, FirstStep, dashboard

RECENT_RUNS = 5


def _has_succeeded(request) -> bool:
    """A test from the editor or any other run of any flow went green (a flow with history off only counts it)."""
    from apps.runs.models import Run, RunTally

    return Run.objects.filter(status=Run.Status.SUCCESS).exists() or RunTally.objects.exists()


def _newest_flow_editor(request) -> str:
    from apps.flows.models import Flow

    newest = Flow.objects.order_by("-updated_at", "-id").values_list("pk", flat=True).first()
    return f"/flows/{newest}/edit/" if newest else "/flows/"


def _recent_runs(request) -> dict | None:
    from apps.runs.models import Run

    runs = list(Run.objects.select_related("flow").only("id", "number", "status", "trigger", "created_at", "flow__name")[:RECENT_RUNS])
    if not runs:
        return None
    since = timezone.now() - dt.timedelta(hours=24)
    production = Run.objects.filter(created_at__gte=since).exclude(trigger=Run.Trigger.TEST)
    return {"runs": runs, "failed_24h": production.filter(status=Run.Status.FAILED).count(), "total_24h": production.count()}


def register() -> None:
    dashboard.add_step(
        FirstStep(
            key="test",
            order=20,
            title=_("Test it"),
            help=_("Press Test in the editor: it runs the draft with sample data and every step turns green or says what is wrong."),
            done=_has_succeeded,
            link=_newest_flow_editor,
            link_label=_("Open the editor"),
        )
    )
    dashboard.add_panel(DashboardPanel(key="recent_runs", order=10, template="runs/_dashboard_runs.html", context=_recent_runs))
