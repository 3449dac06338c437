"""Live hints for the bell: an id and the unread count, never the notification itself (the page fetches it)."""

from __future__ import annotations

from django.db import connection, transaction

from apps.notifications.models import Notification
from apps.runs.realtime.groups import group_name


def notifications_group(schema: str, user_id: int) -> str:
    return group_name(schema, "user", user_id) + ".notifications"


def notification_publish(*, user_id: int, event: str, notification_id: int | None = None) -> None:
    """Sent after commit; the count is taken inside the transaction, after its writes, so it matches the database."""
    from apps.runs.realtime.publisher import publish_to_groups

    schema = connection.schema_name
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
    payload = {"type": event, "id": notification_id, "unread": unread}
    transaction.on_commit(lambda: publish_to_groups([notifications_group(schema, user_id)], payload))
