"""Which queue each Celery task goes to (settings.CELERY_TASK_ROUTES points here), in one table.

Runs are routed when they are queued (apps/runs/fairness.py: `runs` or `runs_slow`, by the steps they contain);
the names here are where a task goes when its caller did not choose. Workers consuming each queue: processes.py.
"""

from __future__ import annotations

ROUTES = {
    # periodic tasks from beat: on their own queue, so a backlog of runs never delays recovery or schedules
    "runs.scheduler_tick": "maintenance",
    "runs.polling_tick": "maintenance",
    "runs.maintain": "maintenance",
    "runs.prune": "maintenance",
    "notifications.periodic": "maintenance",
    "marketplace.trending_refresh": "maintenance",
    # runs: quick by default; run_enqueue sends runs with blocking steps to runs_slow
    "runs.execute": "runs",
}


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: the table, else the default queue. A queue the caller chose (options) wins over both."""
    queue = ROUTES.get(name)
    return {"queue": queue} if queue else None
