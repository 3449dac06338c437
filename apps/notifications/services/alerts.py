"""Deciding and sending alerts when a run finishes or runs too long.

The database is the truth: failures in a row are counted from the flow's runs, and each rule reports a run at most
once (AlertedRun), so a task delivered twice changes nothing. Repeated alerts with the same cause join one group and
one notification per person (count and time updated); email and Slack go out for a group at most once per window,
and the next message says how many more happened since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tenants.utils import get_tenant_model, tenant_context

from apps.accounts.models.organization import site_url
from apps.flows.step_names import step_of
from apps.notifications import messages
from apps.notifications.models import AlertedRun, AlertGroup, AlertRule, Notification
from apps.notifications.selectors import alert_recipients
from apps.notifications.services.delivery import email_send, language_of, slack_send
from apps.notifications.services.live import notification_publish
from apps.notifications.services.rules import alert_rule_slack_url
from apps.runs.models import Run

logger = logging.getLogger("ezflow.notifications")
COUNTED = (Run.Status.SUCCESS, Run.Status.FAILED)
_NORMALISE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "#"),
    (re.compile(r"[0-9a-f]{12,}"), "#"),
    (re.compile(r"\d+"), "#"),
    (re.compile(r"([\"'“‘«]).*?([\"'”’»])"), "…"),
    (re.compile(r"\s+"), " "),
]


def window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EZFLOW_ALERT_WINDOW_SECONDS)


def error_fingerprint(*, kind: str, node_id: str, message: str) -> str:
    """The same failure with different numbers, ids or quoted values counts as one cause."""
    text = (message or "").lower()
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    return hashlib.sha256(f"{kind}\x00{node_id}\x00{text.strip()[:300]}".encode()).hexdigest()


def failure_streak(*, run: Run, limit: int = 101) -> int:
    """Failed runs in a row up to and including this one (cancelled and test runs do not count either way)."""
    earlier = Q(finished_at__lt=run.finished_at) | Q(finished_at=run.finished_at, pk__lte=run.pk)
    statuses = (
        Run.objects.filter(earlier, flow_id=run.flow_id, status__in=COUNTED)
        .exclude(trigger=Run.Trigger.TEST)
        .order_by("-finished_at", "-id")
        .values_list("status", flat=True)[:limit]
    )
    streak = 0
    for status in statuses:
        if status != Run.Status.FAILED:
            break
        streak += 1
    return streak


@dataclass
class Outgoing:
    """An email and/or Slack message decided inside the transaction and sent after it."""

    kind: str
    flow_id: int
    flow_name: str
    run_id: int | None
    count: int
    details: dict
    error_node_id: str = ""
    error_message: str = ""
    recipients: list = field(default_factory=list)
    slack_url: str = ""
    slack_language: str = ""
    suppressed: int = 0
    since: dt.datetime | None = None
    group_id: int | None = None
    notification_ids: list = field(default_factory=list)


# ---- after a run finishes ---------------------------------------------------------------------------


def alerts_evaluate_run(*, run_id: int) -> list[Outgoing]:
    run = Run.objects.select_related("flow").filter(pk=run_id).first()
    if run is None or run.status not in COUNTED or run.trigger == Run.Trigger.TEST or run.finished_at is None:
        return []
    outgoing: list[Outgoing] = []
    with transaction.atomic():
        # Locking the rules serialises two runs of the same flow finishing at once.
        rules = list(AlertRule.objects.select_for_update(of=("self",)).select_related("flow").filter(flow_id=run.flow_id, enabled=True))
        if not rules:
            return []
        failed = run.status == Run.Status.FAILED
        needs_streak = failed and any(rule.kind == AlertRule.Kind.CONSECUTIVE or rule.deactivate_after for rule in rules)
        streak = failure_streak(run=run) if needs_streak else 0
        switch_off_by = None
        for rule in sorted(rules, key=lambda r: r.pk):
            cause = _cause(rule, run, streak)
            if cause is not None and _first_time(rule, run):
                outgoing += _record(rule=rule, run=run, **cause)
            if failed and rule.deactivate_after and streak >= rule.deactivate_after and switch_off_by is None:
                switch_off_by = rule
        if switch_off_by is not None:
            outgoing += _switch_off(rule=switch_off_by, run=run, streak=streak)
    alerts_deliver(outgoing)
    return outgoing


def _cause(rule: AlertRule, run: Run, streak: int) -> dict | None:
    failed = run.status == Run.Status.FAILED
    if rule.kind == AlertRule.Kind.FAILURE and failed:
        fingerprint = error_fingerprint(kind=rule.kind, node_id=run.error_node_id, message=run.error)
        return {"kind": rule.kind, "fingerprint": fingerprint, "details": {}}
    if rule.kind == AlertRule.Kind.CONSECUTIVE and failed and streak >= rule.threshold:
        details = {"streak": streak, "threshold": rule.threshold}
        return {"kind": rule.kind, "fingerprint": "consecutive", "details": details, "new_group": streak == rule.threshold}
    if rule.kind == AlertRule.Kind.DURATION and (run.duration_ms or 0) > rule.duration_seconds * 1000:
        return {"kind": rule.kind, "fingerprint": "duration", "details": {"seconds": rule.duration_seconds}}
    return None


def _first_time(rule: AlertRule, run: Run) -> bool:
    return AlertedRun.objects.get_or_create(rule=rule, run=run)[1]


def _record(*, rule: AlertRule, run: Run, kind: str, fingerprint: str, details: dict, new_group: bool = False) -> list[Outgoing]:
    now = timezone.now()
    open_groups = AlertGroup.objects.filter(rule=rule, fingerprint=fingerprint, closed=False)
    group = None
    if new_group:  # a new streak of failures is a new alert, even if the last streak's is still open
        open_groups.update(closed=True)
    else:
        if kind != AlertRule.Kind.CONSECUTIVE:
            open_groups = open_groups.filter(last_seen__gte=now - window())
        group = open_groups.order_by("-last_seen").first()
    error = {"error_node_id": run.error_node_id[:100], "error_message": run.error[:500]}
    if run.error_args:  # so each person reads the error in their own language (messages.summary)
        details = {**details, "error_args": run.error_args}
    if run.error_node_id:  # the step as the editor names it, and its type's label in both languages
        step = step_of(run.graph, run.error_node_id)
        details = {**details, "error_node_name": step["name"][:200], "error_node_type": step["type_label"]}
    if group is None:
        group = AlertGroup.objects.create(
            rule=rule, kind=kind, fingerprint=fingerprint, last_run=run, count=1, first_seen=now, last_seen=now, unsent=1, **error
        )
    else:
        group.count, group.last_seen, group.last_run, group.unsent = group.count + 1, now, run, group.unsent + 1
        group.error_node_id, group.error_message = error["error_node_id"], error["error_message"]
        group.save(update_fields=["count", "last_seen", "last_run", "unsent", "error_node_id", "error_message"])
    recipients = alert_recipients(rule=rule)
    notification_ids = _notify_group(group=group, rule=rule, run=run, details=details, users=recipients) if rule.in_app else []
    slack_url = alert_rule_slack_url(rule)
    if not (rule.email or slack_url):
        group.unsent = 0
        group.save(update_fields=["unsent"])
        return []
    if group.last_sent_at is not None and group.last_sent_at > now - window():
        return []  # rate-limited: the next message (or the periodic flush) reports these
    outgoing = _outgoing(group, rule, recipients, slack_url, details, suppressed=group.unsent - 1, since=group.last_sent_at)
    outgoing.notification_ids = notification_ids
    group.last_sent_at, group.unsent = now, 0
    group.save(update_fields=["last_sent_at", "unsent"])
    return [outgoing]


def _outgoing(group: AlertGroup, rule: AlertRule, recipients, slack_url, details, *, suppressed: int, since) -> Outgoing:
    return Outgoing(
        kind=group.kind,
        flow_id=rule.flow_id,
        flow_name=rule.flow.name,
        run_id=group.last_run_id,
        count=group.count,
        details=details,
        error_node_id=group.error_node_id,
        error_message=group.error_message,
        recipients=recipients if rule.email else [],
        slack_url=slack_url,
        slack_language=_slack_language(rule) if slack_url else "",
        suppressed=max(suppressed, 0),
        since=since,
        group_id=group.pk,
    )


def _notify_group(*, group: AlertGroup, rule: AlertRule, run: Run | None, details: dict, users) -> list[int]:
    ids = []
    existing = {n.user_id: n for n in Notification.objects.filter(group=group)}
    for user in users:
        notification = existing.get(user.pk)
        if notification is None:
            notification = Notification.objects.create(
                user_id=user.pk,
                kind=group.kind,
                group=group,
                flow_id=rule.flow_id,
                flow_name=rule.flow.name[:200],
                run=run,
                error_node_id=group.error_node_id,
                error_message=group.error_message,
                count=group.count,
                details=details,
            )
            event = "notification.created"
        else:
            notification.count, notification.run, notification.details, notification.read_at = group.count, run, details, None
            notification.error_node_id, notification.error_message = group.error_node_id, group.error_message
            notification.flow_name = rule.flow.name[:200]
            notification.save()
            event = "notification.updated"
        notification_publish(user_id=user.pk, event=event, notification_id=notification.pk)
        ids.append(notification.pk)
    return ids


def _switch_off(*, rule: AlertRule, run: Run, streak: int) -> list[Outgoing]:
    from apps.flows.models import Flow
    from apps.flows.services.flows import flow_set_active

    if not Flow.objects.select_for_update().filter(pk=run.flow_id, active=True).exists():
        return []
    flow = flow_set_active(flow=run.flow, active=False)
    details = {"streak": streak}
    recipients = alert_recipients(rule=rule)
    ids = []
    for user in recipients:
        notification = Notification.objects.create(
            user_id=user.pk, kind=Notification.Kind.DEACTIVATED, flow=flow, flow_name=flow.name[:200], run=run, count=1, details=details
        )
        notification_publish(user_id=user.pk, event="notification.created", notification_id=notification.pk)
        ids.append(notification.pk)
    logger.info("flow switched off after failures in a row", extra={"flow_id": flow.pk, "run_id": run.pk})
    return [
        Outgoing(
            kind=Notification.Kind.DEACTIVATED,
            flow_id=flow.pk,
            flow_name=flow.name,
            run_id=run.pk,
            count=1,
            details=details,
            recipients=recipients,  # always by email too: someone has to switch it on again
            slack_url=alert_rule_slack_url(rule),
            slack_language=_slack_language(rule) if rule.slack_webhook else "",
            notification_ids=ids,
        )
    ]


def _slack_language(rule: AlertRule) -> str:
    from apps.accounts.models import User

    creator = User.objects.filter(pk=rule.created_by_id).only("language").first() if rule.created_by_id else None
    return language_of(creator) if creator else settings.LANGUAGE_CODE


# ---- periodic: runs still going, and alerts held back by the rate limit ------------------------------------------


def alerts_check_long_runs(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    found = 0
    for rule in AlertRule.objects.filter(enabled=True, kind=AlertRule.Kind.DURATION).select_related("flow"):
        reported = AlertedRun.objects.filter(rule=rule).values("run_id")
        long_runs = (
            Run.objects.filter(
                flow_id=rule.flow_id, status=Run.Status.RUNNING, started_at__lt=now - dt.timedelta(seconds=rule.duration_seconds)
            )
            .exclude(trigger=Run.Trigger.TEST)
            .exclude(pk__in=reported)
            .order_by("pk")[:20]
        )
        for run in long_runs:
            outgoing = []
            with transaction.atomic():
                locked = AlertRule.objects.select_for_update(of=("self",)).select_related("flow").filter(pk=rule.pk, enabled=True).first()
                if locked is not None and _first_time(locked, run):
                    details = {"seconds": locked.duration_seconds, "still_running": True}
                    outgoing = _record(rule=locked, run=run, kind=locked.kind, fingerprint="duration", details=details)
                    found += 1
            alerts_deliver(outgoing)
    return found


def alerts_flush_pending(*, now: dt.datetime | None = None) -> int:
    """Sends the "N more since" message for groups whose window has passed without a new alert to carry it."""
    now = now or timezone.now()
    due = AlertGroup.objects.filter(unsent__gt=0, last_sent_at__lte=now - window()).values_list("pk", flat=True)[:100]
    sent = 0
    for group_id in list(due):
        with transaction.atomic():
            group = AlertGroup.objects.select_for_update().select_related("rule__flow").filter(pk=group_id, unsent__gt=0).first()
            if group is None or group.last_sent_at is None or group.last_sent_at > now - window():
                continue
            rule = group.rule
            details = Notification.objects.filter(group=group).values_list("details", flat=True).first() or {}
            outgoing = _outgoing(
                group,
                rule,
                alert_recipients(rule=rule),
                alert_rule_slack_url(rule),
                details,
                suppressed=group.unsent,
                since=group.last_sent_at,
            )
            outgoing.notification_ids = list(Notification.objects.filter(group=group).values_list("pk", flat=True))
            group.last_sent_at, group.unsent = now, 0
            group.save(update_fields=["last_sent_at", "unsent"])
        alerts_deliver([outgoing])
        sent += 1
    return sent


def notifications_prune(*, now: dt.datetime | None = None) -> int:
    """Notifications and alert groups untouched for EZFLOW_NOTIFICATION_DAYS (90) are deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=getattr(settings, "EZFLOW_NOTIFICATION_DAYS", 90))
    deleted = Notification.objects.filter(updated_at__lt=cutoff).delete()[0]
    AlertGroup.objects.filter(last_seen__lt=cutoff, unsent=0).delete()
    return deleted


def alerts_periodic_all() -> None:
    for organization in get_tenant_model().objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME):
        try:
            with tenant_context(organization):
                alerts_check_long_runs()
                alerts_flush_pending()
                notifications_prune()
        except Exception:  # one organization's problem must not stop the others' alerts
            logger.exception("periodic alert check failed", extra={"organization": organization.schema_name})
    connection.set_schema_to_public()


# ---- delivery ------------------------------------------------------------------------------------------


def _texts(item: Outgoing, organization) -> dict:
    """Subject and lines in the active language."""
    since = ""
    if item.since is not None:
        zone = ZoneInfo(getattr(organization, "time_zone", "") or settings.TIME_ZONE)
        since = timezone.localtime(item.since, zone).strftime("%Y-%m-%d %H:%M")
    more = ""
    if item.suppressed:
        more = ngettext("%(n)d more alert like this since %(since)s.", "%(n)d more alerts like this since %(since)s.", item.suppressed) % {
            "n": item.suppressed,
            "since": since,
        }
    heading = messages.title(kind=item.kind, flow_name=item.flow_name, count=item.count, details=item.details)
    return {
        "subject": " ".join(f"[EZFlow] {heading}".split()),  # a line break in a flow name must not break the header
        "title": heading,
        "summary": messages.summary(
            kind=item.kind, error_node_id=item.error_node_id, error_message=item.error_message[:300], details=item.details
        ),
        "more": more,
        "open_run": _("Open the run"),
    }


def _slack_escape(text: str) -> str:
    # Error text may quote item data: "<!channel>" or "<https://evil|click>" must arrive as text, not as a ping or link.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def alerts_deliver(outgoing: list[Outgoing]) -> None:
    if not outgoing:
        return
    organization = connection.tenant
    host = organization.host
    for item in outgoing:
        context = {
            "organization": organization,
            "run_url": site_url(host, f"/runs/{item.run_id}/") if item.run_id else "",
            "flow_url": site_url(host, f"/flows/{item.flow_id}/"),
            "alerts_url": site_url(host, f"/flows/{item.flow_id}/alerts/"),
        }
        delivery: dict = {}
        failed_to = []
        for user in item.recipients:
            problem = email_send(user=user, subject_builder=lambda item=item: _texts(item, organization), context=context)
            if problem:
                failed_to.append({"email": user.email, "error": problem})
        if item.recipients:
            delivery["email"] = {
                "status": "failed" if failed_to else "sent",
                "sent": len(item.recipients) - len(failed_to),
                "failed": failed_to,
            }
        if item.slack_url:
            with translation.override(item.slack_language):
                texts = _texts(item, organization)
            lines = [f"*{_slack_escape(texts['title'])}*", _slack_escape(texts["summary"]), _slack_escape(texts["more"])]
            if context["run_url"]:
                lines.append(f"<{context['run_url']}|{texts['open_run']}>")
            problem = slack_send(
                url=item.slack_url, text="\n".join(line for line in lines if line), allow_hosts=organization.allowed_internal_hosts
            )
            delivery["slack"] = {"status": "failed", "error": problem} if problem else {"status": "sent"}
        if not delivery:
            continue
        delivery["at"] = timezone.now().isoformat()
        if item.group_id:
            AlertGroup.objects.filter(pk=item.group_id).update(delivery=delivery)
        if item.notification_ids:
            Notification.objects.filter(pk__in=item.notification_ids).update(delivery=delivery)
