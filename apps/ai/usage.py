"""Recording what AI steps used, and the monthly budget. Steps run in the engine with a host; inside the product the
host knows the organization (its schema is the current one), in tests and previews without a database it does not,
and then nothing is recorded or limited."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import Sum

from apps.ai.models import AiSettings, AiUsage
from apps.ai.pricing import Tally
from apps.flows.engine.errors import NodeError, gettext_noop

logger = logging.getLogger(__name__)


def _organization(ctx):
    return getattr(ctx.host, "organization", None)


def month_start(now: dt.datetime) -> dt.datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_cost(now: dt.datetime) -> Decimal:
    """The estimated cost of this calendar month (in the organization's time zone) so far."""
    total = AiUsage.objects.filter(created_at__gte=month_start(now)).aggregate(total=Sum("cost_usd"))["total"]
    return total or Decimal(0)


def monthly_budget() -> Decimal | None:
    settings_row = AiSettings.objects.filter(pk=1).only("monthly_budget_usd").first()
    return settings_row.monthly_budget_usd if settings_row else None


def budget_check(ctx) -> None:
    """Refuses the step once the month's estimated cost reached the organization's budget."""
    if _organization(ctx) is None:
        return
    budget = monthly_budget()
    if budget is None:
        return
    spent = month_cost(ctx.host.now())
    if spent >= budget:
        raise NodeError(
            gettext_noop(
                "This organization's monthly AI budget of $%(budget)s is used up ($%(spent)s this month), so AI steps are "
                "paused until next month. An admin can raise the budget in the organization admin (AI settings)."
            ),
            code="ai_budget_exceeded",
            values={"budget": f"{budget:.2f}", "spent": f"{spent:.2f}"},
        )


def usage_record(ctx, tally: Tally) -> None:
    """One row for the step's execution. A failure to write it is logged, never fails the step the model answered."""
    if _organization(ctx) is None or tally.calls == 0:
        return
    try:
        with transaction.atomic():
            AiUsage.objects.create(
                flow_id=ctx.executor.flow_meta.get("id"),
                run_id=ctx.executor.run_meta.get("id"),
                node_id=ctx.node.id[:100],
                provider=tally.provider,
                model=tally.model[:200],
                calls=tally.calls,
                input_tokens=tally.input_tokens,
                output_tokens=tally.output_tokens,
                cost_usd=tally.cost,
            )
    except DatabaseError:
        logger.exception("AI usage not recorded")
