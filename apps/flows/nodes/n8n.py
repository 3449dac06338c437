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

PREFIX = "n8n-nodes-base."
# Not an n8n type: the step that declares a mapping for it stands in for every n8n node no other step imports.
UNMAPPED = "ezflow:unmapped"
UNMAPPED_TRIGGER = "ezflow:unmapped-trigger"  # the same for n8n's triggers (types ending in "Trigger")

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
    # n8n's sub-node connections (like "ai_languageModel") whose nodes become part of this step's settings: the
    # converter finds them in node["_attached"][kind] and they are not imported as steps of their own.
    absorbs: tuple[str, ...] = ()
    # Export to n8n: (our parameters) -> {"type", "typeVersion", "parameters"} (apps.flows.engine.n8n_export), and
    # our output ports in n8n's output order when they differ from `outputs`.
    export: Callable[[dict], dict] | None = None
    export_outputs: tuple[str, ...] | None = None

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


# What an n8n expression may use in EZFlow's JavaScript sandbox (apps/flows/sandbox/js/runtime.js); anything else
# starting with "$" is an n8n feature EZFlow does not have, and the expression is flagged for review.
KNOWN_NAMES = frozenset(
    "$input $json $itemIndex $runIndex $position $ $node $items $now $today $workflow $execution $vars $env "
    "$prevNode $parameter $if $ifEmpty $min $max $evaluateExpression".split()
)
_DOLLAR_NAME = re.compile(r"(?<![\w$.])\$[A-Za-z_]\w*|(?<![\w$.])\$(?=\s*\()")
_SEGMENT = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def expression_problem(text: str) -> str | None:
    """Why an n8n expression (the text after "=") cannot run in EZFlow, or None. A light check in Python: the
    JavaScript itself is parsed when the step runs, and a failure then names the expression."""
    if text.count("{{") != text.count("}}"):
        return "its {{ }} are not balanced"
    for segment in _SEGMENT.findall(text):
        for name in _DOLLAR_NAME.findall(segment):
            if name not in KNOWN_NAMES:
                return f"{name} is not available in EZFlow"
        if "this.helpers" in segment or "$jmespath" in segment:
            return "n8n's helpers are not available in EZFlow"
    return None


def convert_expression(value: Any, warnings: list, node_name: str, path: str) -> Any:
    """n8n expressions are kept as they are: imported steps use the n8n dialect (settings.expression_dialect), so the
    same JavaScript runs in EZFlow's sandbox with the same values as in n8n. Those that use something EZFlow does
    not have are kept too, and flagged for review."""
    if isinstance(value, dict):
        return {k: convert_expression(v, warnings, node_name, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [convert_expression(v, warnings, node_name, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and value.startswith("="):
        problem = expression_problem(value[1:])
        if problem:
            warnings.append(
                {
                    "node": node_name,
                    "path": path,
                    "code": "expression_review",
                    "message": f"Check this expression ({problem}): {value[:200]}",
                }
            )
    return value


def static_value(value: Any) -> Any:
    """An n8n value without its expression marker when it holds no expression ("=POST" is just "POST")."""
    if isinstance(value, str) and value.startswith("=") and "{{" not in value:
        return value[1:]
    return value


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
