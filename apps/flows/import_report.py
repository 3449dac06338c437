"""The import report in the reader's language: what became of each step of an imported n8n workflow."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.flows.nodes.registry import load_builtin_nodes


def import_warning_text(code: str) -> str:
    texts = {
        "edge_dropped": _("A connection names a node that is not in the workflow and was left out."),
        "expression_review": _("An expression uses something EZFlow does not have. Check it in the step."),
        "operator_review": _("A comparison was changed to a similar one. Check the condition."),
        "secret_not_imported": _("A secret was not imported. Enter it again in the step."),
        "credential_not_imported": _("Credentials are never imported. Choose one in the step."),
        "code_review": _("The code was imported as it is. Check that it reads items and sets result."),
        "mode_review": _("A mode has no EZFlow equivalent and was changed. Check what this step does."),
        "option_review": _("An option of this node has no EZFlow equivalent and was left out."),
        "unreadable": _("This node's settings could not be read. It is kept as a placeholder."),
        "trigger_review": _("The flow now starts differently than in n8n. Check how it starts."),
        "flow_reference": _("Choose the flow this step runs: n8n's workflow ids do not exist in EZFlow."),
        "ai_answer_shape": _("The AI answer is stored in a different field than in n8n. Check the steps that read it."),
        "ai_model_default": _(
            "The export names no AI model: the platform's default model for the AI service is used. Choose another in the step if needed."
        ),
        "output_review": _("This step's result has a different shape than n8n's. Check the steps that read it."),
        "ai_review": _("Some parts attached to this AI node (memory, tools, parsers) have no EZFlow equivalent yet."),
    }
    return texts.get(code, _("Check this step in the editor."))


def step_label(step_type: str) -> str:
    node_type = load_builtin_nodes().get(step_type)
    if node_type is None:
        return step_type
    label = node_type.label
    return label.get("ko" if (get_language() or "en").startswith("ko") else "en") or label.get("en", step_type)


def import_status_text(entry: dict) -> str:
    """“Imported as …”, “Imported as …, please check: …” or “Not available yet — kept as a placeholder”."""
    if entry.get("status") == "placeholder":
        return _("Not available yet — kept as a placeholder (%(type)s).") % {"type": entry.get("n8n_type", "")}
    if entry.get("status") == "absorbed":
        return _("Imported into “%(root)s” as part of its settings.") % {"root": entry.get("root", "")}
    label = step_label(str(entry.get("step_type", "")))
    if entry.get("status") == "check":
        reasons = "; ".join(dict.fromkeys(import_warning_text(str(r.get("code", ""))) for r in entry.get("reasons") or []))
        return _("Imported as “%(step)s”, please check: %(reasons)s") % {"step": label, "reasons": reasons}
    return _("Imported as “%(step)s”.") % {"step": label}
