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


def _money(value) -> float | None:
    return float(value) if value is not None else None


def run_usage(*, run) -> dict | None:
    """Tokens and estimated cost of each AI step execution of the run and their total; None when no AI step called a
    model. `cost_complete` is False when a model had no price (its calls count in tokens, not in the cost)."""
    rows = list(
        AiUsage.objects.filter(run_id=run.pk)
        .values("node_id", "provider", "model")
        .annotate(executions=Count("id"), priced=Count("cost_usd"), **_SUMS)
        .order_by("node_id", "provider", "model")
    )
    if not rows:
        return None
    names = dict(run.node_runs.values_list("node_id", "node_name")) if hasattr(run, "node_runs") else {}
    steps = []
    for row in rows:
        steps.append(
            {
                "node_id": row["node_id"],
                "node_name": names.get(row["node_id"]) or row["node_id"],
                "provider": row["provider"],
                "model": row["model"],
                "calls": row["calls"] or 0,
                "input_tokens": row["input_tokens"] or 0,
                "output_tokens": row["output_tokens"] or 0,
                "total_tokens": (row["input_tokens"] or 0) + (row["output_tokens"] or 0),
                "cost_usd": _money(row["cost_usd"]) if row["priced"] else None,
                "cost_complete": row["priced"] == row["executions"],
            }
        )
    total = {key: sum(step[key] for step in steps) for key in ("calls", "input_tokens", "output_tokens", "total_tokens")}
    priced = [step["cost_usd"] for step in steps if step["cost_usd"] is not None]
    total["cost_usd"] = round(sum(priced), 6) if priced else None
    total["cost_complete"] = all(step["cost_complete"] for step in steps)
    return {"steps": steps, "total": total}


def _priced(since: dt.datetime, flow_id: int | None) -> bool:
    rows = AiUsage.objects.filter(created_at__gte=since, cost_usd__isnull=False)
    return (rows.filter(flow_id=flow_id) if flow_id is not None else rows).exists()


def month_usage(*, now: dt.datetime, flow_id: int | None = None) -> dict:
    """This calendar month (of `now`, in the organization's time zone) so far: totals, per flow (whole organization
    only) and the monthly budget with the share of it used."""
    from apps.ai.usage import month_start, monthly_budget

    since = month_start(now)
    totals = usage_since(since=since, flow_id=flow_id)
    budget = monthly_budget()
    spent = totals["cost_usd"] or 0
    result = {
        "since": since,
        "steps": totals["steps"],
        "calls": totals["calls"],
        "input_tokens": totals["input_tokens"],
        "output_tokens": totals["output_tokens"],
        "total_tokens": totals["input_tokens"] + totals["output_tokens"],
        "cost_usd": _money(totals["cost_usd"]) if totals["cost_usd"] != 0 or _priced(since, flow_id) else None,
        "budget_usd": _money(budget),
        "budget_share": None,
        "organization_cost_usd": None,
        "flows": [],
    }
    organization_spent = spent if flow_id is None else (usage_since(since=since)["cost_usd"] or 0)
    result["organization_cost_usd"] = _money(organization_spent)
    if budget is not None:
        result["budget_share"] = float(organization_spent / budget) if budget > 0 else 1.0
        result["budget_left_usd"] = _money(max(budget - organization_spent, 0))
    if flow_id is None:
        from apps.flows.models import Flow

        rows = usage_by_flow(since=since)
        names = dict(Flow.objects.filter(pk__in=[row["flow_id"] for row in rows if row["flow_id"]]).values_list("pk", "name"))
        result["flows"] = [
            {
                "flow_id": row["flow_id"],
                "name": names.get(row["flow_id"]),
                "calls": row["calls"] or 0,
                "total_tokens": (row["input_tokens"] or 0) + (row["output_tokens"] or 0),
                "cost_usd": _money(row["cost_usd"]),
            }
            for row in rows
        ]
    return result
