from celery import shared_task

from apps.runs import fairness
from apps.runs.services.runs import run_execute


@shared_task(name="runs.execute", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def execute_run(self, run_id: int, blocking: bool = False) -> None:
    with fairness.run_slot(blocking=blocking) as granted:
        if not granted:  # over a concurrency limit: back to the queue for a moment, the worker slot goes to others
            fairness.run_deferred(run_id=run_id)
            countdown = fairness.defer_seconds(self.request.retries)
            raise self.retry(countdown=countdown, queue=fairness.run_queue(blocking=blocking))
        run_execute(run_id=run_id)


@shared_task(name="runs.scheduler_tick", ignore_result=True)
def scheduler_tick_task() -> None:
    from apps.runs.services.scheduler import scheduler_tick

    scheduler_tick()


@shared_task(name="runs.requeue_stuck", ignore_result=True)
def requeue_stuck_task() -> None:
    from apps.runs.services.scheduler import requeue_stuck_runs

    requeue_stuck_runs()


@shared_task(name="runs.prune", ignore_result=True)
def prune_runs_task() -> None:
    from apps.runs.services.retention import runs_prune_all

    runs_prune_all()
