"""How a step type imports n8n nodes: its declaration (`N8nMapping`) and the helpers converters share.

A step lists the n8n node types it stands for in `NodeType.n8n`. The importer (apps.flows.engine.n8n) looks each
n8n node up by its type name and calls the mapping's converter, a pure function of the n8n node returning our
parameters and warnings for people (or None: this node cannot be imported, it becomes a note on the canvas).
Expressions are translated from n8n's JavaScript flavour where the meaning is clear; anything else is kept and
reported for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.flows.engine import expressions

PREFIX = "n8n-nodes-base."

Converted = tuple[dict, list[dict]]


@dataclass(frozen=True)
class N8nMapping:
    # n8n type names, like "n8n-nodes-base.httpRequest" (a name without a package means n8n's base package).
    types: tuple[str, ...]
    # (n8n node) -> (our parameters, warnings) | None
    convert: Callable[[dict], Converted | None]
    # Our port for each n8n output index; indexes past the end use the last port.
    outputs: tuple[str, ...] = ("main",)
    inputs: tuple[str, ...] = ("main",)
    # For outputs that depend on the node: (n8n node, our parameters) -> {n8n output index: [our ports]}.
    output_ports: Callable[[dict, dict], dict[int, list[str]]] | None = None
    # Only for the n8n nodes this accepts (several step types may share one n8n type, like the Code node's languages).
    when: Callable[[dict], bool] | None = None

    def ports_for_output(self, node: dict, parameters: dict, index: int) -> list[str]:
        if self.output_ports is not None:
            return self.output_ports(node, parameters).get(index, [])
        return [self.outputs[min(index, len(self.outputs) - 1)]] if self.outputs else []

    def port_for_input(self, index: Any) -> str:
        return self.inputs[min(max(int_or(index, 0), 0), len(self.inputs) - 1)] if self.inputs else "main"


def full_type_name(n8n_type: Any) -> str:
    name = str(n8n_type or "")
    return name if "." in name else PREFIX + name


def int_or(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def warning(node: dict, code: str, message: str, **extra) -> dict:
    return {"node": node.get("name", ""), "code": code, "message": message, **extra}


_REPLACEMENTS = [
    (re.compile(r"\$\(\s*(['\"])(.+?)\1\s*\)\.(?:item|first\(\)|last\(\))\.json"), r"nodes['\2'].json"),
    (re.compile(r"\$\(\s*(['\"])(.+?)\1\s*\)\.all\(\)"), r"nodes['\2'].items"),
    (re.compile(r"\$node\[\s*(['\"])(.+?)\1\s*\]\.json"), r"nodes['\2'].json"),
    (re.compile(r"\$input\.(?:item|first\(\))\.json"), "json"),
    (re.compile(r"\$input\.all\(\)"), "nodes_input"),
    (re.compile(r"\$json\b"), "json"),
    (re.compile(r"\$now\b"), "now()"),
    (re.compile(r"\$today\b"), "today()"),
    (re.compile(r"\$execution\.id\b"), "run.id"),
    (re.compile(r"\$workflow\.(name|id)\b"), r"flow.\1"),
    (re.compile(r"\$vars\."), "vars."),
    (re.compile(r"\$itemIndex\b"), "index"),
    (re.compile(r"===?"), "=="),
    (re.compile(r"!==?"), "!="),
    (re.compile(r"&&"), " and "),
    (re.compile(r"\|\|"), " or "),
    (re.compile(r"\.toUpperCase\(\)"), ".upper()"),
    (re.compile(r"\.toLowerCase\(\)"), ".lower()"),
    (re.compile(r"\.trim\(\)"), ".strip()"),
    (re.compile(r"\.length\b"), "|length"),
]
# JavaScript that has no direct translation; expressions containing it are flagged for review.
_JS_ONLY = ("=>", "?", "`", ".includes(", ".map(", ".filter(", ".reduce(", "new Date", "DateTime", "Math.", "JSON.")


def convert_expression(value: Any, warnings: list, node_name: str, path: str) -> Any:
    if isinstance(value, dict):
        return {k: convert_expression(v, warnings, node_name, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [convert_expression(v, warnings, node_name, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or not value.startswith("="):
        return value
    text = value[1:]

    def translate(match: re.Match) -> str:
        inner = match.group(1)
        for pattern, replacement in _REPLACEMENTS:
            inner = pattern.sub(replacement, inner)
        return "{{ " + inner.strip() + " }}"

    converted = re.sub(r"\{\{(.*?)\}\}", translate, text, flags=re.DOTALL)
    if expressions.check_syntax(converted) or "$" in converted or any(token in text for token in _JS_ONLY):
        warnings.append(
            {
                "node": node_name,
                "path": path,
                "code": "expression_review",
                "message": f"Check this expression; it was written for n8n: {value[:200]}",
            }
        )
    return converted


def pairs(container: Any) -> dict:
    items = (container or {}).get("parameters", []) if isinstance(container, dict) else []
    return {str(p.get("name", "")): p.get("value", "") for p in items if isinstance(p, dict) and p.get("name")}


OPERATORS = {
    "equals": "equals",
    "notEquals": "not_equals",
    "notEqual": "not_equals",
    "contains": "contains",
    "notContains": "not_contains",
    "startsWith": "starts_with",
    "endsWith": "ends_with",
    "gt": "gt",
    "larger": "gt",
    "gte": "gte",
    "largerEqual": "gte",
    "lt": "lt",
    "smaller": "lt",
    "lte": "lte",
    "smallerEqual": "lte",
    "empty": "is_empty",
    "isEmpty": "is_empty",
    "notEmpty": "is_not_empty",
    "isNotEmpty": "is_not_empty",
    "exists": "is_not_empty",
    "notExists": "is_empty",
    "true": "is_true",
    "false": "is_false",
}


def conditions(parameters: dict, warnings: list, name: str) -> tuple[list[dict], str]:
    conditions = parameters.get("conditions") or {}
    result: list[dict] = []
    combine = "and"
    if isinstance(conditions, dict) and "conditions" in conditions:  # IF v2 / filter v2
        combine = conditions.get("combinator", "and")
        for condition in conditions.get("conditions") or []:
            operation = (condition.get("operator") or {}).get("operation", "equals")
            result.append(
                {"left": condition.get("leftValue"), "operator": OPERATORS.get(operation, "equals"), "right": condition.get("rightValue")}
            )
            if operation not in OPERATORS:
                warnings.append({"node": name, "code": "operator_review", "message": f"The comparison “{operation}” became “is equal to”."})
    elif isinstance(conditions, dict):  # IF v1: {"string": [...], "number": [...], "boolean": [...]}
        combine = parameters.get("combineOperation", "all") == "any" and "or" or "and"
        for group in ("string", "number", "boolean", "dateTime"):
            for condition in conditions.get(group) or []:
                operation = condition.get("operation", "equal")
                mapped = {"equal": "equals", "notEqual": "not_equals", "isEmpty": "is_empty"}.get(
                    operation, OPERATORS.get(operation, "equals")
                )
                result.append({"left": condition.get("value1"), "operator": mapped, "right": condition.get("value2")})
    return convert_expression(result, warnings, name, "conditions"), combine
