from celery import shared_task
from django.utils import translation

from apps.accounts.services.notifications import invitation_email_send


@shared_task(name="accounts.send_invitation_email", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, language: str = "") -> None:
    with translation.override(language or None):
        invitation_email_send(invitation_id=invitation_id)
