from celery import shared_task

from apps.runs.services.runs import run_execute


@shared_task(name="runs.execute", acks_late=True, reject_on_worker_lost=True)
def execute_run(run_id: int) -> None:
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
