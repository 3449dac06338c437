"""The bell's live page: each person's own notifications."""

from __future__ import annotations

from apps.runs.realtime.pages import LivePage


class NotificationsPage(LivePage):
    key = "notifications"

    def group(self, *, schema, user, object_id):
        from apps.notifications.services.live import notifications_group

        return notifications_group(schema, user.pk)

    def current_state(self, *, user, object_id):
        from apps.notifications.selectors import notification_unread_count

        return {"unread": notification_unread_count(user=user)}
