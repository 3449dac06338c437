"""Alerts about connections: an OAuth2 service refused to renew a credential's token (flows'
`credential_needs_reconnect` event), so every step using it fails until an admin reconnects it. The organization's
owners and admins get one notification per credential (updated, not repeated, while it stays unread) and an email."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.accounts.models.organization import site_url
from apps.accounts.roles import Role
from apps.notifications import messages
from apps.notifications.models import Notification
from apps.notifications.selectors import active_members
from apps.notifications.services.delivery import email_send
from apps.notifications.services.live import notification_publish

logger = logging.getLogger("ezflow.notifications")


def credential_alert_create(*, credential_id: int, name: str, reason: str) -> list[int]:
    """Notifies the owners and admins of the current organization; returns the notifications' ids."""
    organization = connection.tenant
    admins = sorted((m.user for m in active_members(organization) if m.role in (Role.OWNER, Role.ADMIN)), key=lambda user: user.pk)
    details = {"credential_id": credential_id}
    ids, mailed = [], []
    with transaction.atomic():
        for user in admins:
            open_one = Notification.objects.filter(
                user_id=user.pk, kind=Notification.Kind.CREDENTIAL, details__credential_id=credential_id, read_at__isnull=True
            ).first()
            if open_one is not None:
                open_one.count, open_one.error_message, open_one.flow_name = open_one.count + 1, reason[:500], name[:200]
                open_one.save(update_fields=["count", "error_message", "flow_name", "updated_at"])
                notification_publish(user_id=user.pk, event="notification.updated", notification_id=open_one.pk)
                ids.append(open_one.pk)
                continue
            created = Notification.objects.create(
                user_id=user.pk, kind=Notification.Kind.CREDENTIAL, flow_name=name[:200], error_message=reason[:500], details=details
            )
            notification_publish(user_id=user.pk, event="notification.created", notification_id=created.pk)
            ids.append(created.pk)
            mailed.append((user, created))
    connections_url = site_url(organization.host, "/connections/")
    for user, notification in mailed:

        def texts(notification=notification):
            heading = messages.title(kind=notification.kind, flow_name=notification.flow_name)
            return {
                "subject": " ".join(f"[EZFlow] {heading}".split()),
                "title": heading,
                "summary": messages.summary(kind=notification.kind, error_message=notification.error_message),
                "open_run": _("Open the Connections page"),
            }

        problem = email_send(
            user=user,
            subject_builder=texts,
            context={"organization": organization, "run_url": connections_url, "alerts_url": connections_url},
        )
        Notification.objects.filter(pk=notification.pk).update(
            delivery={"email": {"status": "failed", "error": problem} if problem else {"status": "sent"}}
        )
    return ids
