"""Reads: a person's notifications, a flow's alert rules, and who receives a rule's alerts."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.notifications.models import AlertRule, Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user_id=user.pk)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def alert_rule_list(*, flow) -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(flow=flow)


def active_members(organization=None) -> QuerySet[Membership]:
    organization = organization or connection.tenant
    return Membership.objects.filter(organization=organization, is_active=True, user__is_active=True).select_related("user")


def alert_recipients(*, rule: AlertRule, organization=None) -> list:
    """The chosen members; without a choice, the owners and admins and whoever created the flow. Only active members."""
    members = active_members(organization)
    if rule.recipient_ids:
        members = members.filter(user_id__in=rule.recipient_ids)
    else:
        creator = rule.flow.created_by_id
        members = [m for m in members if m.role in (Role.OWNER, Role.ADMIN) or m.user_id == creator]
    return sorted((m.user for m in members), key=lambda user: user.pk)
