from celery import shared_task
from django.utils import translation

from apps.accounts.services.notifications import invitation_email_send


@shared_task(name="accounts.send_invitation_email", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, language: str = "") -> None:
    with translation.override(language or None):
        invitation_email_send(invitation_id=invitation_id)


@shared_task(name="accounts.send_password_reset_email", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(user_id: int, host: str, language: str = "") -> None:
    from apps.accounts.services.notifications import password_reset_email_send

    with translation.override(language or None):
        password_reset_email_send(user_id=user_id, host=host)
