from celery import shared_task


@shared_task(name="notifications.evaluate_run", acks_late=True)
def evaluate_run_task(run_id: int) -> None:
    from apps.notifications.services.alerts import alerts_evaluate_run

    alerts_evaluate_run(run_id=run_id)


@shared_task(name="notifications.periodic", ignore_result=True)
def periodic_alerts_task() -> None:
    from apps.notifications.services.alerts import alerts_periodic_all

    alerts_periodic_all()
