from celery import shared_task

from apps.runs.services.runs import run_execute


@shared_task(name="runs.execute", acks_late=True, reject_on_worker_lost=True)
def execute_run(run_id: int) -> None:
    run_execute(run_id=run_id)
