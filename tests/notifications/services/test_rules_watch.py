"""Enabled alert rules mark their flow as watched: the webhook path reads the mark instead of the rules table, and a
watched flow keeps even successful runs when its history is off."""

from apps.flows.models import Flow
from apps.notifications.services.rules import alert_rule_delete, alert_rule_update
from tests.notifications.conftest import failure_rule


def watched(flow) -> bool:
    return Flow.objects.get(pk=flow.pk).watched_by_alerts


def test_the_mark_follows_enabled_rules_through_create_update_and_delete(flow, owner):
    assert not watched(flow)
    first = failure_rule(flow, owner)
    second = failure_rule(flow, owner)
    assert watched(flow)
    alert_rule_update(rule=first, enabled=False)
    assert watched(flow)  # the second rule still watches
    alert_rule_update(rule=second, enabled=False)
    assert not watched(flow)
    alert_rule_update(rule=first, enabled=True)
    assert watched(flow)
    alert_rule_delete(rule=first)
    alert_rule_delete(rule=second)
    assert not watched(flow)
