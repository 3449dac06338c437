"""Writes on a person's notifications: mark one or all as read."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.core.errors import NotFound
from apps.notifications.models import Notification
from apps.notifications.services.live import notification_publish


def notification_mark_read(*, user, notification_id: int) -> Notification:
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id, user_id=user.pk).first()
        if notification is None:
            from django.utils.translation import gettext as _

            raise NotFound(_("Not found."))
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            notification_publish(user_id=user.pk, event="notification.updated", notification_id=notification.pk)
    return notification


def notification_mark_all_read(*, user) -> int:
    with transaction.atomic():
        changed = Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
        if changed:
            notification_publish(user_id=user.pk, event="notification.updated")
    return changed
