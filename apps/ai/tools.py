"""What an agent may use: built-in tools (calculator, current time, HTTP GET through the SSRF guard) and published
flows of the organization, each described to the model with a name, a description and its inputs."""

from __future__ import annotations

import json
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

from apps.ai.calculator import CalculationError, calculate
from apps.ai.providers.base import ToolSpec
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.builtin.network import send_request

MAX_RESULT_CHARS = 20_000
HTTP_MAX_BYTES = 1_000_000
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_INPUT_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*(?:\(([a-z]+)\))?\s*(?::\s*(.*))?$")
_INPUT_TYPES = {"text": "string", "string": "string", "number": "number", "integer": "integer", "boolean": "boolean"}


class ToolFailed(Exception):
    """A tool could not do what the model asked: the model is told, and may try otherwise."""


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    kind: str  # "calculator" | "current_time" | "http_get" | "flow"
    flow: str = ""

    def run(self, ctx, arguments: dict) -> Any:
        if self.kind == "calculator":
            try:
                return {"result": calculate(str(arguments.get("expression", "")))}
            except CalculationError as exc:
                raise ToolFailed(str(exc)) from None
        if self.kind == "current_time":
            return _current_time(ctx, arguments.get("time_zone"))
        if self.kind == "http_get":
            return _http_get(ctx, str(arguments.get("url", "")))
        return _call_flow(ctx, self.flow, arguments)


def _current_time(ctx, zone) -> dict:
    now = ctx.host.now()
    if zone:
        try:
            now = now.astimezone(zoneinfo.ZoneInfo(str(zone)))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ToolFailed(f"unknown time zone {zone!r}") from None
    return {"now": now.isoformat(timespec="seconds"), "time_zone": str(now.tzinfo), "weekday": now.strftime("%A")}


def _http_get(ctx, url: str) -> dict:
    if not url.lower().startswith(("http://", "https://")):
        raise ToolFailed("the address must start with http:// or https://")
    try:
        response, raw = send_request(
            ctx, method="GET", url=url, headers={}, query={}, timeout=min(20.0, max(ctx.seconds_left(), 1.0)), max_bytes=HTTP_MAX_BYTES
        )
    except NodeError as exc:  # refused by the SSRF guard, too large, timed out: the model hears why
        raise ToolFailed(exc.message) from None
    text = raw.decode(response.encoding or "utf-8", "replace")
    return {"status": response.status_code, "content_type": response.headers.get("content-type", ""), "body": text[:MAX_RESULT_CHARS]}


def _call_flow(ctx, flow: str, arguments: dict) -> Any:
    try:
        items = ctx.host.call_flow(flow, [dict(arguments)], ctx.executor.depth + 1)
    except NodeError as exc:
        if exc.code == "subflow_failed":
            raise ToolFailed(exc.message) from None
        raise  # a flow that does not exist (any more) is the step's configuration, not the model's choice
    return items[0] if len(items) == 1 else items


def result_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_RESULT_CHARS else text[:MAX_RESULT_CHARS] + " …(cut)"


BUILT_IN = {
    "calculator": ToolSpec(
        "calculator",
        "Calculates an arithmetic expression exactly (numbers, + - * / // % **, parentheses, sqrt, log, round, min, max, ...).",
        {
            "type": "object",
            "properties": {"expression": {"type": "string", "description": "for example (1200*1.1)/3"}},
            "required": ["expression"],
        },
    ),
    "current_time": ToolSpec(
        "current_time",
        "The current date and time (ISO 8601) in the organization's time zone, or in a given IANA time zone.",
        {"type": "object", "properties": {"time_zone": {"type": "string", "description": "optional, e.g. Asia/Seoul"}}},
    ),
    "http_get": ToolSpec(
        "http_get",
        "Reads a public web address (GET) and returns its status and body (text, cut at 20,000 characters).",
        {"type": "object", "properties": {"url": {"type": "string", "description": "http:// or https:// address"}}, "required": ["url"]},
    ),
}


def input_schema(text: str) -> dict:
    """Inputs described one per line as `name (type): description` become the flow tool's argument schema."""
    properties, required = {}, []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        match = _INPUT_LINE.match(line)
        if not match or (match.group(2) and match.group(2) not in _INPUT_TYPES):
            raise NodeError(
                gettext_noop("“%(line)s” is not an input like “customer_email (text): the customer's address”."),
                code="ai_bad_tool",
                values={"line": line.strip()[:100]},
            )
        name, kind, description = match.group(1), _INPUT_TYPES[match.group(2) or "text"], (match.group(3) or "").strip()
        properties[name] = {"type": kind, **({"description": description} if description else {})}
        required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def tools_for(parameters: dict) -> dict[str, Tool]:
    tools: dict[str, Tool] = {}
    for key, spec in BUILT_IN.items():
        if parameters.get(f"tool_{key}"):
            tools[key] = Tool(spec, key)
    for entry in parameters.get("flow_tools") or []:
        entry = entry if isinstance(entry, dict) else {}
        flow = str(entry.get("flow") or "").strip()
        if not flow:
            raise NodeError(gettext_noop("Choose the flow of every flow tool."), code="ai_bad_tool")
        name = str(entry.get("name") or f"flow_{flow}").strip()
        if not TOOL_NAME.match(name) or name in tools:
            raise NodeError(
                gettext_noop("“%(name)s” cannot be a tool name: use letters, digits, _ and - (up to 64), each name once."),
                code="ai_bad_tool",
                values={"name": name},
            )
        description = str(entry.get("description") or "").strip() or f"Runs the flow {flow}."
        tools[name] = Tool(ToolSpec(name, description, input_schema(entry.get("inputs", ""))), "flow", flow=flow)
    return tools
