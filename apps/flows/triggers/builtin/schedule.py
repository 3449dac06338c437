import contextlib
import zoneinfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.flows.engine.cron import PRESETS, cron_for, cron_problem, next_fire
from apps.flows.triggers.registry import Issue, TriggerKind, TriggerSummary, register_trigger_kind

KOREAN_NAMES = {
    **dict(zip(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), "월화수목금토일", strict=True)),
    **{
        month: f"{number}월"
        for number, month in enumerate(
            ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
            start=1,
        )
    },
}


@register_trigger_kind
class Schedule(TriggerKind):
    """Started at the times of a cron expression (or a preset); the runs app's scheduler keeps its index in step
    through the sync hook it connects."""

    key = "schedule"

    def validate(self, node: dict) -> list[Issue]:
        parameters = node.get("parameters") or {}
        issues = []
        expression = cron_for(parameters)
        reason = cron_problem(expression)
        if reason:
            issues.append(Issue("bad_cron", "parameters.cron", {"cron": expression, "reason": reason}))
        zone = parameters.get("time_zone") or ""
        if zone:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                issues.append(Issue("bad_time_zone", "parameters.time_zone", {"zone": str(zone)}))
        return issues

    def summary(self, *, node, node_type, flow, organization) -> TriggerSummary:
        parameters = node.get("parameters") or {}
        zone = str(parameters.get("time_zone") or flow.time_zone or organization.time_zone)
        expression = cron_for(parameters)
        summary = TriggerSummary(
            kind=self.key,
            name=str(node.get("name") or node_type.key),
            title=_("Schedule"),
            description=schedule_words(parameters, node_type),
            time_zone=zone,
        )
        if flow.active and flow.published_version_id and not cron_problem(expression):
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                summary.next_run = next_fire(expression, zone, timezone.now())
        return summary


def schedule_words(parameters: dict, node_type) -> str:
    """A preset's label from the step's own options, or a custom cron expression described by cron-descriptor."""
    from cron_descriptor import ExpressionDescriptor, Options
    from cron_descriptor.Exception import FormatError, MissingFieldError, WrongArgumentError

    korean = (translation.get_language() or "").startswith("ko")
    preset = parameters.get("preset") or "custom"
    if preset in PRESETS:
        options = dict(next((p.options for p in node_type.params if p.name == "preset"), ()))
        if preset in options:
            return options[preset]["ko" if korean else "en"]
    expression = cron_for(parameters)
    if cron_problem(expression):
        return _("The schedule “%(cron)s” is not valid. Fix it in the editor.") % {"cron": expression}
    options = Options()
    options.locale_code = "ko_KR" if korean else "en_US"
    options.use_24hour_time_format = True
    try:
        words = ExpressionDescriptor(expression, options).get_description()
    except (FormatError, MissingFieldError, WrongArgumentError, ValueError):
        return expression
    if korean:
        # cron-descriptor takes day and month names from the process locale, which stays English.
        for english, korean_name in KOREAN_NAMES.items():
            words = words.replace(english, f"{korean_name}요일" if len(korean_name) == 1 else korean_name)
    return f"{words} ({expression})"
