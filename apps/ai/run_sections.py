"""The AI app's sections of the run page, the run API and monitoring (registered in AiConfig.ready() with the runs
app's `run_sections`): tokens and estimated cost per AI step run and for the run, and this month's usage per flow
and for the organization against its monthly budget. Everything is read in the organization's schema."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.ai import selectors
from apps.runs.sections import RunSection


def _for_run(run) -> dict | None:
    return selectors.run_usage(run=run)


def run_usage_json(run) -> dict:
    found = selectors.run_usage(run=run)
    if found is None:
        empty = {"calls": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0, "cost_usd": None, "cost_complete": True}
        return {"steps": [], "total": empty}
    return found


def organization_now(organization):
    try:
        zone = ZoneInfo(organization.time_zone)
    except (ValueError, KeyError, TypeError):
        zone = timezone.get_current_timezone()
    return timezone.localtime(timezone.now(), zone)


def _for_monitoring(*, flow, organization) -> dict:
    usage = selectors.month_usage(now=organization_now(organization), flow_id=flow.pk if flow else None)
    if usage["budget_share"] is not None:
        usage["budget_percent"] = min(round(usage["budget_share"] * 100), 999)
    return usage


SECTION = RunSection(
    key="ai_usage",
    run_template="ai/_run_usage.html",
    for_run=_for_run,
    for_api=run_usage_json,
    monitoring_template="ai/_monitoring_usage.html",
    for_monitoring=_for_monitoring,
)
