"""Runs that cannot finish: a run restarted too often after its worker went away ("poison run"), and a run whose
result cannot be saved. Both end as failed runs with a reason the person can read, instead of being retried forever.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_noop

from apps.flows.engine.executor import RunResult
from apps.runs.models import Run

logger = logging.getLogger("ezflow.runs")

POISON_TEMPLATE = gettext_noop(
    "The run was started %(attempts)s times and stopped without finishing each time (for example because the worker ran "
    "out of memory), so it was not started again. Check the steps with large data or long loops, then run it again."
)
UNSAVED_TEMPLATE = gettext_noop("The run's result could not be saved (%(error)s), so the run was stopped.")


def _failed(template: str, values: dict, code: str) -> RunResult:
    return RunResult(status="failed", error=template % values, error_code=code, error_args={"template": template, "values": values})


def restart_refusal(*, run: Run) -> RunResult | None:
    """A run found "running" when a worker picks it up was left unfinished by an earlier attempt (a crash, a killed
    worker, a lost broker message re-queued). Each such restart is counted on the run; beyond the platform's limit
    the run fails instead of taking another worker down with it."""
    if run.status != Run.Status.RUNNING:
        return None
    limit = settings.EZFLOW_RUN_MAX_RESTARTS
    if run.restarts >= limit:
        logger.warning("run given up after %s restarts", run.restarts, extra={"restarts": run.restarts})
        return _failed(POISON_TEMPLATE, {"attempts": run.restarts + 1}, "poison_run")
    # Written at once (outside the run's work), so a crash during this attempt still counts.
    Run.objects.filter(pk=run.pk).update(restarts=F("restarts") + 1)
    run.restarts += 1
    return None


def unsaved_result(error: Exception) -> RunResult:
    reason = f"{type(error).__name__}: {error}"[:300]
    return _failed(UNSAVED_TEMPLATE, {"error": reason}, "result_not_saved")
