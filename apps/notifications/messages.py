"""What a notification says, rendered in the reader's language when it is read (stored as data, not text)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.flows.error_text import engine_error_text
from apps.flows.step_names import label_text


def duration_text(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def title(*, kind: str, flow_name: str, count: int = 1, details: dict | None = None) -> str:
    details = details or {}
    if kind == "credential":
        return _("The connection “%(name)s” must be reconnected") % {"name": flow_name}
    if kind == "consecutive":
        streak = details.get("streak", count)
        return _("“%(flow)s” failed %(n)d times in a row") % {"flow": flow_name, "n": streak}
    if kind == "duration":
        return _("“%(flow)s” ran longer than %(limit)s") % {"flow": flow_name, "limit": duration_text(int(details.get("seconds", 0)))}
    if kind == "deactivated":
        return _("Flow “%(flow)s” was switched off after %(n)d failures in a row") % {"flow": flow_name, "n": details.get("streak", count)}
    if count > 1:
        return _("“%(flow)s” failed (%(n)d times)") % {"flow": flow_name, "n": count}
    return _("“%(flow)s” failed") % {"flow": flow_name}


def summary(*, kind: str, error_node_id: str = "", error_message: str = "", details: dict | None = None) -> str:
    details = details or {}
    if kind == "credential":
        return _(
            "The service refused to renew its sign-in (%(reason)s). Steps that use it fail until an admin chooses "
            "Reconnect on the Connections page."
        ) % {"reason": error_message or "?"}
    if kind == "deactivated":
        return _("Triggers no longer start it. Fix the problem, then switch it on again on the flow's page.")
    if kind == "duration" and details.get("still_running"):
        return _("The run is still going.")
    if error_message:
        error_message = engine_error_text(error_message, details.get("error_args"))[:300]
    if error_message and error_node_id:
        name = details.get("error_node_name") or error_node_id
        kind_label = label_text(details.get("error_node_type"))
        if kind_label:
            return _("At step “%(node)s” (%(type)s): %(error)s") % {"node": name, "type": kind_label, "error": error_message}
        return _("At step “%(node)s”: %(error)s") % {"node": name, "error": error_message}
    return error_message
