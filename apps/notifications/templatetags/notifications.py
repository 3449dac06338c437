from django import template

from apps.notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    try:
        return notification_unread_count(user=user)
    except Exception:  # the bell must never break a page (e.g. an organization not yet migrated)
        return 0
