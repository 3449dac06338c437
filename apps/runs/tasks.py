import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from apps.runs import fairness
from apps.runs.services.runs import run_execute

SCHEMA_RETRY_SECONDS = (1.0, 3.0)


class WrongSchema(Exception):
    """The task could not be put in its organization's schema."""


def _enter_schema(task) -> bool:
    """Puts the connection in the organization's schema the task was queued for; False when the organization is
    gone. tenant-schemas-celery switches it in a signal handler whose failure (database away, pool timeout) is only
    logged, which left tasks running in the public schema: here a failure raises, and the task retries."""
    headers = task.request.headers or {}
    schema = headers.get("_schema_name") or task.request.get("_schema_name")
    if schema is None and task.request.id is None:  # called as a function in this process, in its schema
        schema = connection.schema_name
    if not schema or schema == settings.PUBLIC_SCHEMA_NAME:
        raise WrongSchema(f"runs.execute queued without an organization schema ({schema!r})")
    if connection.schema_name != schema:
        from django_tenants.utils import get_tenant_model

        model = get_tenant_model()
        try:
            organization = model.objects.get(schema_name=schema)
        except model.DoesNotExist:
            return False
        connection.set_tenant(organization)
    return True


@shared_task(name="runs.execute", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def execute_run(self, run_id: int, blocking: bool = False) -> None:
    queue = fairness.run_queue(blocking=blocking)
    started: list[bool] = []
    try:
        if not _enter_schema(self):
            return
        with fairness.run_slot(blocking=blocking) as granted:
            if not granted:  # over a concurrency limit: back to the queue for a moment, the worker slot goes to others
                countdown = fairness.defer_seconds(self.request.retries)
                fairness.run_deferred(run_id=run_id, countdown=countdown)
                raise self.retry(countdown=countdown, queue=queue)
            run_execute(run_id=run_id, on_started=lambda: started.append(True))
    except (OperationalError, InterfaceError) as exc:
        if started:  # lost mid-run: the run's lease brings it back, counted as a restart (recovery.py)
            raise
        # The database was away before the run started: never run elsewhere, try again shortly on a fresh
        # connection (the run's queued lease brings it back too if this retry cannot be published).
        if not connection.in_atomic_block:
            connection.close()
        raise self.retry(exc=exc, countdown=random.uniform(*SCHEMA_RETRY_SECONDS), queue=queue) from None  # noqa: S311


@shared_task(name="runs.scheduler_tick", ignore_result=True)
def scheduler_tick_task() -> None:
    from apps.runs.services.scheduler import scheduler_tick

    scheduler_tick()


@shared_task(name="runs.polling_tick", ignore_result=True)
def polling_tick_task() -> None:
    from apps.runs.services.polling import polling_tick

    polling_tick()


@shared_task(name="runs.maintain", ignore_result=True)
def maintain_runs_task() -> None:
    from apps.runs.services.scheduler import requeue_stuck_runs

    requeue_stuck_runs()


@shared_task(name="runs.prune", ignore_result=True)
def prune_runs_task() -> None:
    from apps.runs.services.retention import runs_prune_all

    runs_prune_all()
