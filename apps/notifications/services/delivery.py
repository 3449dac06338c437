"""Email and Slack for alerts. Failures are returned as short reasons to record, never raised."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from apps.flows.http.guard import guarded_client

logger = logging.getLogger("ezflow.notifications")


def language_of(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def email_send(*, user, subject_builder, context: dict) -> str | None:
    """Renders in the person's language; returns None when sent, or the reason it was not."""
    if not user.email:
        return "no email address"
    with translation.override(language_of(user)):
        built = {**context, **subject_builder()}
        message = EmailMultiAlternatives(built["subject"], render_to_string("notifications/email_alert.txt", built), to=[user.email])
        message.attach_alternative(render_to_string("notifications/email_alert.html", built), "text/html")
    try:
        message.send()
    except Exception as exc:  # SMTP refusals, timeouts, DNS: recorded on the notification, never crash the task
        logger.warning("alert email not delivered", extra={"error_code": type(exc).__name__})
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


def slack_send(*, url: str, text: str, allow_hosts) -> str | None:
    """Posts through the SSRF guard with the organization's allow-list; None when Slack accepted it."""
    try:
        with guarded_client(allow_hosts=allow_hosts, timeout=10.0) as client:
            response = client.post(url, json={"text": text})
    except Exception as exc:  # blocked address, DNS, timeout, TLS
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    if response.status_code >= 400:
        return f"Slack answered {response.status_code}: {response.text[:200]}"
    return None
