"""Translated sentences for the engine's validation problem codes."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.flows.engine.validation import Problem
from apps.flows.triggers.registry import trigger_kinds


def _label(params: dict) -> str:
    label = params.get("label")
    if isinstance(label, dict):
        return label.get("ko" if (get_language() or "en").startswith("ko") else "en") or label.get("en", "")
    return str(label or "")


def problem_message(problem: Problem) -> str:
    p = problem.params
    messages = {
        "graph_not_object": _("The flow must be a JSON object with “nodes” and “edges”."),
        "graph_shape": _("“nodes” and “edges” must be lists."),
        "too_many_nodes": _("A flow can have at most %(max)s steps.") % {"max": p.get("max")},
        "node_without_id": _("Every step needs an id."),
        "duplicate_node_id": _("Two steps have the same id."),
        "duplicate_node_name": _("Two steps are called “%(name)s”. Give each step its own name.") % {"name": p.get("name", "")},
        "unknown_type": _("“%(type)s” is not a kind of step EZFlow knows.") % {"type": p.get("type", "")},
        "parameters_not_object": _("The step's parameters must be an object."),
        "settings_not_object": _("The step's settings must be an object."),
        "required": _("“%(label)s” is required.") % {"label": _label(p)},
        "expression_syntax": _("The expression has a problem: %(error)s") % {"error": p.get("error", "")},
        "expressions_not_allowed": _("“%(label)s” must be a fixed value, not an expression.") % {"label": _label(p)},
        "not_a_number": _("“%(label)s” must be a number.") % {"label": _label(p)},
        "not_an_integer": _("“%(label)s” must be a whole number.") % {"label": _label(p)},
        "out_of_range": _("“%(label)s” must be between %(min)s and %(max)s.")
        % {"label": _label(p), "min": p.get("min"), "max": p.get("max")},
        "not_boolean": _("This must be on or off (true or false)."),
        "not_a_choice": _("“%(label)s” must be one of: %(choices)s.") % {"label": _label(p), "choices": ", ".join(p.get("choices", []))},
        "not_text": _("“%(label)s” must be text.") % {"label": _label(p)},
        "not_key_value": _("“%(label)s” must be a list of names and values.") % {"label": _label(p)},
        "not_a_list": _("“%(label)s” must be a list.") % {"label": _label(p)},
        "not_an_object": _("Each entry of “%(label)s” must be an object.") % {"label": _label(p)},
        "bad_condition": _("This condition's comparison is not known."),
        "setting_out_of_range": _("This setting must be between %(min)s and %(max)s.") % {"min": p.get("min"), "max": p.get("max")},
        "timeout_over_limit": _("A step may run for at most %(max)s seconds on this platform. Choose a shorter timeout.")
        % {"max": p.get("max")},
        "setting_choice": _("This setting must be one of: %(choices)s.") % {"choices": ", ".join(p.get("choices", []))},
        "edge_shape": _("A connection must be an object with source and target."),
        "edge_missing_node": _("A connection points to the step “%(node)s”, which does not exist.") % {"node": p.get("node", "")},
        "edge_missing_port": _("A connection uses the %(side)s “%(port)s”, which this step does not have.")
        % {"side": _("output") if p.get("side") == "output" else _("input"), "port": p.get("port", "")},
        "no_trigger": _("The flow needs a trigger (for example Manual start, Webhook or Schedule) to start from."),
        "cycle": _("The flow goes round in a circle. Use a “Loop over items” step to repeat steps."),
        "bad_cron": _("“%(cron)s” is not a schedule. Use five fields: minute hour day month weekday, like 0 9 * * 1-5.")
        % {"cron": p.get("cron", "")},
        "bad_time_zone": _("“%(zone)s” is not a time zone. Use a name like Asia/Seoul.") % {"zone": p.get("zone", "")},
        "type_version_newer": _(
            "This step was made with a newer EZFlow (version %(stored)s of “%(type)s”; this server knows up to %(current)s). "
            "Update EZFlow or remove the step."
        )
        % {"stored": p.get("stored"), "type": p.get("type", ""), "current": p.get("current")},
        "type_version_unknown": _("Version %(stored)s of “%(type)s” cannot be brought up to date. Replace the step with a new one.")
        % {"stored": p.get("stored"), "type": p.get("type", "")},
        "type_version_upgrade_failed": _(
            "This step was saved by an older EZFlow and its settings could not be brought up to date. Set it up again."
        ),
    }
    if problem.code in messages:
        return messages[problem.code]
    return next((m for kind in trigger_kinds.all() if (m := kind.problem_message(problem.code, p))), problem.code)


def problems_payload(problems: list[Problem]) -> list[dict]:
    return [{**problem.as_dict(), "message": problem_message(problem)} for problem in problems]
