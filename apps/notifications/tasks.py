from celery import shared_task


@shared_task(name="notifications.evaluate_run", acks_late=True)
def evaluate_run_task(run_id: int) -> None:
    from apps.notifications.services.alerts import alerts_evaluate_run

    alerts_evaluate_run(run_id=run_id)


@shared_task(name="notifications.periodic", ignore_result=True)
def periodic_alerts_task() -> None:
    from apps.notifications.services.alerts import alerts_periodic_all

    alerts_periodic_all()


@shared_task(name="notifications.credential_alert", acks_late=True)
def credential_alert_task(credential_id: int, name: str, reason: str) -> None:
    from apps.notifications.services.credentials import credential_alert_create

    credential_alert_create(credential_id=credential_id, name=name, reason=reason)
