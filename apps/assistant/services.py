"""Drafting a flow from a sentence: the offline planner, the organization's time zone and rate limit, and the
answer's words in the person's language."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.assistant.errors import AssistantError
from apps.assistant.models import DraftRequest
from apps.assistant.planner import plan
from apps.flows.problems import problems_payload
from apps.flows.services.flows import graph_shape_check

MAX_PROMPT_CHARS = 2_000


def _check_rate() -> None:
    limit = getattr(settings, "EZFLOW_ASSISTANT_DRAFTS_PER_MINUTE", 30)
    if DraftRequest.objects.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).count() >= limit:
        raise AssistantError(
            _("The assistant is answering too many requests for your organization. Please wait a minute and try again."),
            code="rate_limited",
            status=429,
        )


def _label(value) -> str:
    if isinstance(value, dict):
        return value.get("ko" if (translation.get_language() or "").startswith("ko") else "en") or value.get("en", "")
    return str(value)


def _missing_text(entry: dict) -> dict:
    values = {key: _label(value) for key, value in entry.get("values", {}).items()}
    out = {"code": entry["code"], "message": _(entry["template"]) % values}
    for key in ("node_id", "credential_type", "parameter", "suggested_types"):
        if entry.get(key):
            out[key] = entry[key]
    return out


def _message(draft, language: str) -> str:
    names = [str(node.get("name")) for node in draft.graph["nodes"]]
    added = [c["name"] for c in draft.changes if c["action"] == "added"]
    changed = [c["name"] for c in draft.changes if c["action"] == "changed"]
    removed = [c["name"] for c in draft.changes if c["action"] == "removed"]
    parts = []
    if added and len(added) == len(names):
        parts.append(_("I drafted a flow: %(steps)s.") % {"steps": " → ".join(names)})
    else:
        if added:
            parts.append(_("Added: %(steps)s.") % {"steps": ", ".join(added)})
        if changed:
            parts.append(_("Changed: %(steps)s.") % {"steps": ", ".join(changed)})
        if removed:
            parts.append(_("Removed: %(steps)s.") % {"steps": ", ".join(removed)})
    if not draft.changes:
        parts.append(_("I did not change anything: I did not understand what to change."))
    if any(m["code"] == "connect" for m in draft.missing):
        parts.append(_("Before it can run, connect the accounts listed below."))
    return " ".join(parts)


def assistant_draft(*, user, organization, prompt: str, graph: dict | None = None, language: str = "") -> dict:
    """The answer of `POST /api/v1/assistant/draft`: message, complete graph, changes, missing, engine."""
    prompt = (prompt or "").strip()
    if not prompt:
        raise AssistantError(_("Write what you want to automate."), code="empty_prompt", field="prompt")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise AssistantError(
            _("Write at most %(limit)s characters.") % {"limit": f"{MAX_PROMPT_CHARS:,}"}, code="prompt_too_long", field="prompt"
        )
    if graph is not None:
        graph_shape_check(graph)
    _check_rate()
    language = language or ("ko" if any("가" <= ch <= "힣" for ch in prompt) else "en")
    started = time.monotonic()
    draft = plan(prompt, language=language, time_zone=organization.time_zone, graph=graph)
    milliseconds = int((time.monotonic() - started) * 1000)
    DraftRequest.objects.create(user=user, engine="offline", valid=draft.valid, milliseconds=milliseconds)
    with translation.override(language):
        missing = [_missing_text(entry) for entry in draft.missing]
        missing += [{"code": "problem", "message": p["message"], "node_id": p["node_id"]} for p in problems_payload(draft.problems)]
        return {
            "message": _message(draft, language),
            "graph": draft.graph,
            "changes": draft.changes,
            "missing": missing,
            "engine": "offline",
        }
