"""Drafting a flow from a sentence (Claude when a key is configured, otherwise or on failure the offline planner),
the organization's time zone and rate limits, the answer's words in the person's language, and the conversations
the editor's panel keeps per person and flow."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.ai.models import AiUsage
from apps.ai.pricing import cost_usd
from apps.ai.usage import month_cost, monthly_budget
from apps.assistant.claude import engine as claude
from apps.assistant.errors import AssistantError
from apps.assistant.live_pages import publish_delta
from apps.assistant.models import Conversation, DraftRequest, Turn
from apps.assistant.planner import plan
from apps.assistant.selectors import template_skeletons, variable_names
from apps.flows.models import Credential
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.problems import problems_payload
from apps.flows.services.credentials import credential_fresh_data, organization_allow_hosts
from apps.flows.services.flows import graph_shape_check

logger = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 2_000
CLAUDE_CREDENTIAL_KIND = "anthropic_api_key"


def _check_rate() -> None:
    limit = settings.EZFLOW_ASSISTANT_DRAFTS_PER_MINUTE
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


def graph_changes(before: dict | None, after: dict) -> list[dict]:
    """Steps added, changed (type, name, parameters or settings) and removed between two graphs, by id."""
    old = {n.get("id"): n for n in (before or {}).get("nodes") or []}
    new = {n.get("id"): n for n in after.get("nodes") or []}
    changes = []
    for node_id, node in new.items():
        was = old.get(node_id)
        entry = {"node_id": node_id, "type": node.get("type"), "name": node.get("name") or node_id}
        if was is None:
            changes.append({"action": "added", **entry})
        elif any(was.get(k) != node.get(k) for k in ("type", "name", "parameters", "settings")):
            changes.append({"action": "changed", **entry})
    for node_id, node in old.items():
        if node_id not in new:
            changes.append({"action": "removed", "node_id": node_id, "type": node.get("type"), "name": node.get("name") or node_id})
    return changes


def _message(graph: dict, changes: list[dict]) -> str:
    names = [str(node.get("name")) for node in graph["nodes"]]
    added = [c["name"] for c in changes if c["action"] == "added"]
    changed = [c["name"] for c in changes if c["action"] == "changed"]
    removed = [c["name"] for c in changes if c["action"] == "removed"]
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
    if not changes:
        parts.append(_("I did not change anything: I did not understand what to change."))
    return " ".join(parts)


def claude_api_key() -> str:
    """The organization's own Anthropic key (its first credential of that kind) or else the platform's; empty: none."""
    if settings.EZFLOW_ASSISTANT_ENGINE == "offline":
        return ""
    credential = Credential.objects.filter(type=CLAUDE_CREDENTIAL_KIND).order_by("pk").first()
    if credential is not None:
        try:
            key = str(credential_fresh_data(credential).get("api_key") or "")
        except Exception:  # an undecryptable credential must not break the assistant
            logger.exception("assistant: the organization's Anthropic credential could not be read")
            key = ""
        if key:
            return key
    return settings.EZFLOW_ASSISTANT_ANTHROPIC_API_KEY or ""


def _claude_refusal() -> str:
    """Why Claude may not answer now (rate limit, budget), or empty."""
    hour_ago = timezone.now() - timedelta(hours=1)
    if DraftRequest.objects.filter(engine="claude", created_at__gte=hour_ago).count() >= settings.EZFLOW_ASSISTANT_CLAUDE_PER_HOUR:
        return _("Your organization used its Claude requests for this hour, so the offline assistant drafted this.")
    budget = monthly_budget()
    if budget is not None and month_cost(timezone.localtime()) >= budget:
        return _("Your organization's monthly AI budget is used up, so the offline assistant drafted this.")
    return ""


def _record_usage(usage: claude.Usage, flow_id: int | None) -> None:
    if not usage.calls:
        return
    try:
        with transaction.atomic():
            AiUsage.objects.create(
                flow_id=flow_id,
                node_id="assistant",
                provider="anthropic",
                model=usage.model[:200],
                calls=usage.calls,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cost_usd=cost_usd(usage.model, usage.input_tokens, usage.output_tokens),
            )
    except DatabaseError:
        logger.exception("assistant: AI usage not recorded")


def _with_claude(*, key: str, prompt: str, graph, language: str, time_zone: str, flow_id, user) -> dict:
    """The Claude answer's parts, or raises ClaudeFailed (usage of the calls made is recorded either way). The
    model's text is streamed to the person's panel over the live socket, piece by piece, while the answer is made."""
    on_delta = on_reset = None
    if flow_id is not None and user is not None:
        schema = connection.schema_name

        def on_delta(call: int, piece: str) -> None:
            publish_delta(schema=schema, user_id=user.pk, flow_id=flow_id, call=call, text=piece)

        def on_reset(call: int) -> None:
            publish_delta(schema=schema, user_id=user.pk, flow_id=flow_id, call=call, reset=True)

    try:
        result = claude.run(
            prompt,
            graph=graph,
            language=language,
            time_zone=time_zone,
            api_key=key,
            model=settings.EZFLOW_ASSISTANT_CLAUDE_MODEL,
            registry=load_builtin_nodes(),
            allow_hosts=tuple(organization_allow_hosts()),
            max_turns=settings.EZFLOW_ASSISTANT_CLAUDE_MAX_TURNS,
            retries=settings.EZFLOW_ASSISTANT_CLAUDE_RETRIES,
            max_wait=settings.EZFLOW_ASSISTANT_CLAUDE_MAX_WAIT_SECONDS,
            on_delta=on_delta,
            on_reset=on_reset,
        )
    except claude.ClaudeFailed as failed:
        _record_usage(failed.usage, flow_id)
        raise
    _record_usage(result.usage, flow_id)
    return {"graph": result.graph, "text": result.text, "missing": result.missing, "problems": result.problems}


def assistant_draft(*, user, organization, prompt: str, graph: dict | None = None, language: str = "", flow_id: int | None = None) -> dict:
    """The answer: message, complete graph, changes, missing, engine ("claude" or "offline") and a notice when
    Claude was meant to answer and the offline planner did."""
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
    engine, notice, parts = "offline", "", None
    with translation.override(language):
        key = claude_api_key()
        if key:
            notice = _claude_refusal()
            if not notice:
                try:
                    parts = _with_claude(
                        key=key,
                        prompt=prompt,
                        graph=graph,
                        language=language,
                        time_zone=organization.time_zone,
                        flow_id=flow_id,
                        user=user,
                    )
                    engine = "claude"
                except claude.ClaudeFailed as failed:
                    reason = _(failed.error.template) % failed.error.values if failed.error.values else _(failed.error.template)
                    notice = _("Claude could not answer (%(reason)s), so the offline assistant drafted this.") % {"reason": reason}
                except Exception:  # an answer the engine did not expect must not cost the person their draft
                    logger.exception("assistant: the Claude engine failed")
                    notice = _("Claude could not answer (%(reason)s), so the offline assistant drafted this.") % {
                        "reason": _("an unexpected answer")
                    }
        if parts is None:
            draft = plan(
                prompt,
                language=language,
                time_zone=organization.time_zone,
                graph=graph,
                templates=lambda keys, words: template_skeletons(organization=organization, step_keys=keys, words=words),
                known_variables=variable_names() if graph is None or not graph.get("nodes") else frozenset(),
            )
            parts = {"graph": draft.graph, "text": "", "missing": draft.missing, "problems": draft.problems}
            if draft.template is not None:
                parts["template"] = draft.template
        milliseconds = int((time.monotonic() - started) * 1000)
        DraftRequest.objects.create(user=user, engine=engine, valid=not parts["problems"], milliseconds=min(milliseconds, 2**31 - 1))
        changes = graph_changes(graph, parts["graph"])
        missing = [_missing_text(entry) for entry in parts["missing"]]
        missing += [{"code": "problem", "message": p["message"], "node_id": p["node_id"]} for p in problems_payload(parts["problems"])]
        message = parts["text"] or _message(parts["graph"], changes)
        if parts.get("template"):
            message = _("I built this from the template “%(title)s”.") % {"title": parts["template"]["title"]} + " " + message
        if any(m["code"] == "connect" for m in missing):
            message += " " + _("Before it can run, connect the accounts listed below.")
        return {"message": message, "graph": parts["graph"], "changes": changes, "missing": missing, "engine": engine, "notice": notice}


# -- conversations (the editor's panel)


def conversation_turns(*, user, flow) -> list[Turn]:
    return list(Turn.objects.filter(conversation__user=user, conversation__flow=flow).order_by("id"))


def turn_record(*, user, flow, prompt: str, answer: dict, graph_before: dict | None, state: str = Turn.State.PROPOSED) -> Turn:
    with transaction.atomic():
        conversation, _created = Conversation.objects.get_or_create(user=user, flow=flow)
        turn = Turn.objects.create(
            conversation=conversation,
            prompt=prompt.strip(),
            message=answer["message"],
            notice=answer.get("notice", ""),
            engine=answer["engine"],
            graph_before=graph_before,
            graph=answer["graph"],
            changes=answer["changes"],
            missing=answer["missing"],
            state=state,
        )
        old = list(conversation.turns.order_by("-id").values_list("id", flat=True)[settings.EZFLOW_ASSISTANT_TURNS_KEPT :])
        if old:
            Turn.objects.filter(id__in=old).delete()
        conversation.save(update_fields=["updated_at"])
    return turn


def conversation_ask(*, user, organization, flow, prompt: str, graph: dict | None = None, language: str = "") -> Turn:
    """One turn about `flow`: the request is answered against `graph` (the editor's current, maybe unsaved, graph) or
    the flow's saved draft, and kept with the graph it was asked about."""
    current = graph if graph is not None else flow.draft
    answer = assistant_draft(user=user, organization=organization, prompt=prompt, graph=current, language=language, flow_id=flow.pk)
    return turn_record(user=user, flow=flow, prompt=prompt, answer=answer, graph_before=current)


def turn_set_state(*, turn: Turn, state: str) -> Turn:
    if state not in (Turn.State.APPLIED, Turn.State.DISCARDED, Turn.State.UNDONE):
        raise AssistantError(_("Unknown state."), code="invalid", field="state")
    turn.state = state
    turn.save(update_fields=["state"])
    return turn


def conversation_clear(*, user, flow) -> None:
    Conversation.objects.filter(user=user, flow=flow).delete()
