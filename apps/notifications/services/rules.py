"""Writes on alert rules. The Slack address is stored encrypted and only a masked hint is ever shown."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.core import crypto
from apps.flows.http.guard import AllowList
from apps.flows.models import Flow
from apps.notifications.models import AlertRule
from apps.notifications.selectors import active_members

LIMITS = {"threshold": (1, 100), "duration_seconds": (1, 86_400), "deactivate_after": (1, 100)}
FIELDS = ("kind", "threshold", "duration_seconds", "in_app", "email", "recipient_ids", "deactivate_after", "enabled")


def _allow_list() -> AllowList:
    return AllowList(getattr(connection.tenant, "allowed_internal_hosts", None) or [])


def slack_url_problem(url: str) -> str | None:
    """Why this cannot be a Slack webhook address, or None. Whether it may be reached is checked again when sending."""
    if len(url) > 500:
        return _("The Slack address is too long (at most 500 characters).")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return _("Enter a web address, like https://hooks.slack.com/services/…")
    if parts.scheme not in ("http", "https") or not host:
        return _("Enter a web address, like https://hooks.slack.com/services/…")
    # Plain http only to a host an organization admin allowed (an internal relay); Slack itself needs https.
    if parts.scheme == "http" and host.lower() not in _allow_list().names and not _allowed_address(host):
        return _("The Slack address must start with https://.")
    return None


def _allowed_address(host: str) -> bool:
    try:
        return _allow_list().allows(host, host)
    except ValueError:
        return False


def slack_hint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…{url[-4:]}"


def _check(values: dict) -> dict:
    problems: dict[str, list] = {}
    kind = values.get("kind")
    if kind not in AlertRule.Kind.values:
        problems["kind"] = [_("Choose when to alert: every failure, several failures in a row, or a run that takes too long.")]
    for name, (low, high) in LIMITS.items():
        value = values.get(name)
        if value is None and name == "deactivate_after":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems[name] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    for name in ("in_app", "email", "enabled"):
        if not isinstance(values.get(name), bool):
            problems[name] = [_("Choose yes or no.")]
    recipients = values.get("recipient_ids")
    if not isinstance(recipients, list) or any(isinstance(r, bool) or not isinstance(r, int) for r in recipients) or len(recipients) > 200:
        problems["recipients"] = [_("Choose people from the list of members.")]
    else:
        known = set(active_members().filter(user_id__in=recipients).values_list("user_id", flat=True))
        if set(recipients) - known:
            problems["recipients"] = [_("Some of the chosen people are not active members of this organization.")]
    slack = values.get("slack_webhook")
    if slack:
        problem = slack_url_problem(slack)
        if problem:
            problems["slack_webhook_url"] = [problem]
    if not problems and not (values["in_app"] or values["email"] or slack or values.get("deactivate_after")):
        problems["in_app"] = [_("Choose at least one way to be told: in the app, by email or in Slack.")]
    if problems:
        raise ValidationError(problems)
    return values


def _apply(rule: AlertRule, changes: dict) -> AlertRule:
    current = {name: getattr(rule, name) for name in FIELDS}
    current["slack_webhook"] = crypto.decrypt(rule.slack_webhook)["url"] if rule.slack_webhook else ""
    if "slack_webhook_url" in changes:
        current["slack_webhook"] = (changes.pop("slack_webhook_url") or "").strip()
    if "recipient_ids" in changes and isinstance(changes["recipient_ids"], list):
        changes["recipient_ids"] = sorted(set(changes["recipient_ids"]), key=str)
    elif current["recipient_ids"]:
        # People who left since the rule was saved are dropped quietly, so other changes still save.
        current["recipient_ids"] = list(active_members().filter(user_id__in=current["recipient_ids"]).values_list("user_id", flat=True))
    values = _check({**current, **{k: v for k, v in changes.items() if k in FIELDS}})
    for name in FIELDS:
        setattr(rule, name, values[name])
    url = values["slack_webhook"]
    rule.slack_webhook = crypto.encrypt({"url": url}) if url else ""
    rule.slack_hint = slack_hint(url) if url else ""
    rule.save()
    _mark_watched(rule.flow_id)
    return rule


def _mark_watched(flow_id: int) -> None:
    watched = AlertRule.objects.filter(flow_id=flow_id, enabled=True).exists()
    Flow.objects.filter(pk=flow_id).exclude(watched_by_alerts=watched).update(watched_by_alerts=watched)


def alert_rule_create(*, flow, user, **values) -> AlertRule:
    with transaction.atomic():
        return _apply(AlertRule(flow=flow, created_by=user if getattr(user, "is_authenticated", False) else None), dict(values))


def alert_rule_update(*, rule: AlertRule, **changes) -> AlertRule:
    with transaction.atomic():
        return _apply(AlertRule.objects.select_for_update().get(pk=rule.pk), dict(changes))


def alert_rule_delete(*, rule: AlertRule) -> None:
    with transaction.atomic():
        flow_id = rule.flow_id
        rule.delete()
        _mark_watched(flow_id)


def alert_rule_slack_url(rule: AlertRule) -> str:
    return crypto.decrypt(rule.slack_webhook)["url"] if rule.slack_webhook else ""


def alert_rules_rotate_secrets() -> int:
    """Re-encrypts every stored Slack address with the first key of EZFLOW_CREDENTIAL_KEYS (part of key rotation)."""
    count = 0
    for rule in AlertRule.objects.exclude(slack_webhook="").select_for_update().iterator():
        rule.slack_webhook = crypto.rotate(rule.slack_webhook)
        rule.save(update_fields=["slack_webhook"])
        count += 1
    return count
