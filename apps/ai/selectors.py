"""Sums of AI usage for the run page, monitoring and the AI usage page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum

from apps.ai.models import AiUsage

_SUMS = {"calls": Sum("calls"), "input_tokens": Sum("input_tokens"), "output_tokens": Sum("output_tokens"), "cost_usd": Sum("cost_usd")}


def _totals(rows) -> dict:
    found = rows.aggregate(steps=Count("id"), **_SUMS)
    return {key: (value or 0) for key, value in found.items()}


def usage_for_run(*, run_id: int) -> dict:
    return _totals(AiUsage.objects.filter(run_id=run_id))


def usage_since(*, since: dt.datetime, flow_id: int | None = None) -> dict:
    rows = AiUsage.objects.filter(created_at__gte=since)
    if flow_id is not None:
        rows = rows.filter(flow_id=flow_id)
    return _totals(rows)


def usage_by_flow(*, since: dt.datetime) -> list[dict]:
    """Per flow, most expensive first."""
    rows = AiUsage.objects.filter(created_at__gte=since).values("flow_id").annotate(steps=Count("id"), **_SUMS)
    return sorted(rows, key=lambda row: (-(row["cost_usd"] or 0), -(row["input_tokens"] or 0)))
