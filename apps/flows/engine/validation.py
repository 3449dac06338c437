"""Every problem of a flow graph at once, each with node id, parameter path, a stable code and its values.

The Django layer turns codes into translated sentences (apps.flows.problems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.flows.engine import expressions
from apps.flows.engine.graph import STEP_TIMEOUT_LIMITS, Edge, Graph, loop_back_edges, topological_order
from apps.flows.nodes.base import Param, TypeVersionError
from apps.flows.nodes.registry import NodeRegistry, load_builtin_nodes
from apps.flows.triggers.registry import trigger_kinds

MAX_NODES = 2_000
ON_ERROR = frozenset({"stop", "continue", "error_output"})


@dataclass(frozen=True)
class Problem:
    code: str
    node_id: str | None = None
    path: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "node_id": self.node_id, "path": self.path, "params": self.params}


def validate_graph(data: Any, registry: NodeRegistry | None = None) -> list[Problem]:
    registry = registry or load_builtin_nodes()
    if not isinstance(data, dict):
        return [Problem("graph_not_object")]
    nodes, edges = data.get("nodes"), data.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return [Problem("graph_shape")]
    if len(nodes) > MAX_NODES:
        return [Problem("too_many_nodes", params={"max": MAX_NODES})]
    problems: list[Problem] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    valid_nodes = []
    for index, raw in enumerate(nodes):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw.get("id"):
            problems.append(Problem("node_without_id", path=f"nodes[{index}]"))
            continue
        node_id = raw["id"]
        if node_id in seen_ids:
            problems.append(Problem("duplicate_node_id", node_id, "id"))
            continue
        seen_ids.add(node_id)
        name = raw.get("name") or node_id
        if not isinstance(name, str) or name in seen_names:
            problems.append(Problem("duplicate_node_name", node_id, "name", {"name": str(name)}))
        seen_names.add(str(name))
        node_type = registry.get(raw.get("type")) if isinstance(raw.get("type"), str) else None
        if node_type is None:
            problems.append(Problem("unknown_type", node_id, "type", {"type": str(raw.get("type"))}))
            continue
        parameters = raw.get("parameters", {})
        if not isinstance(parameters, dict):
            problems.append(Problem("parameters_not_object", node_id, "parameters"))
            continue
        if node_type.needs_upgrade(raw.get("type_version")):
            try:
                parameters = node_type.upgrade(parameters, raw.get("type_version"))
            except TypeVersionError as exc:
                values = {"type": node_type.key, "stored": exc.stored, "current": exc.current}
                problems.append(Problem(exc.code, node_id, "type_version", values))
                continue
            raw = {**raw, "parameters": parameters, "type_version": node_type.version}
        n8n = isinstance(raw.get("settings"), dict) and raw["settings"].get("expression_dialect") == "n8n"
        # A switched-off step never runs (like n8n): what it still lacks is asked for when it is switched on, but a
        # value of the wrong shape is reported either way.
        switched_off = isinstance(raw.get("settings"), dict) and raw["settings"].get("disabled") is True
        found = _check_parameters(node_id, node_type.params, parameters, "parameters", n8n=n8n)
        problems.extend(problem for problem in found if not (switched_off and problem.code == "required"))
        problems.extend(_check_settings(node_id, raw.get("settings", {})))
        valid_nodes.append(raw)

    nodes_by_id = {raw["id"]: raw for raw in valid_nodes}
    good_edges = []
    for index, raw in enumerate(edges):
        if not isinstance(raw, dict):
            problems.append(Problem("edge_shape", path=f"edges[{index}]"))
            continue
        source, target = raw.get("source"), raw.get("target")
        source_port, target_port = raw.get("source_port", "main"), raw.get("target_port", "main")
        path = f"edges[{index}]"
        if source not in seen_ids:
            problems.append(Problem("edge_missing_node", path=path, params={"node": str(source)}))
            continue
        if target not in seen_ids:
            problems.append(Problem("edge_missing_node", source, path=path, params={"node": str(target)}))
            continue
        if source not in nodes_by_id or target not in nodes_by_id:
            continue  # the node itself is already reported
        source_type, target_type = registry.get(nodes_by_id[source]["type"]), registry.get(nodes_by_id[target]["type"])
        if source_port not in source_type.output_ports(nodes_by_id[source].get("parameters", {})):
            problems.append(Problem("edge_missing_port", source, path, {"port": str(source_port), "side": "output"}))
            continue
        if target_port not in target_type.inputs:
            problems.append(Problem("edge_missing_port", target, path, {"port": str(target_port), "side": "input"}))
            continue
        good_edges.append(Edge(source, target, source_port, target_port))

    for raw in valid_nodes:
        kind = trigger_kinds.get(registry.get(raw["type"]).trigger_kind)
        if kind is not None:
            problems.extend(Problem(issue.code, raw["id"], issue.path, dict(issue.params)) for issue in kind.validate(raw))
    triggers = [raw for raw in valid_nodes if registry.get(raw["type"]).is_trigger]
    if not triggers:
        problems.append(Problem("no_trigger"))
    graph = Graph.from_dict({"nodes": valid_nodes, "edges": []})
    graph.edges = good_edges
    loops = {raw["id"] for raw in valid_nodes if registry.get(raw["type"]).is_loop}
    back = loop_back_edges(graph, loops)
    forward = [edge for edge in good_edges if edge not in back]
    if topological_order(set(nodes_by_id), forward) is None:
        problems.append(Problem("cycle"))
    return problems


def _check_settings(node_id: str, settings: Any) -> list[Problem]:
    if settings in (None, {}):
        return []
    if not isinstance(settings, dict):
        return [Problem("settings_not_object", node_id, "settings")]
    problems = []
    numbers = {"retry_attempts": (1, 10), "retry_backoff_seconds": (0, 30), "timeout_seconds": (1, STEP_TIMEOUT_LIMITS["max_seconds"])}
    for key, (low, high) in numbers.items():
        if key in settings and (not _is_number(settings[key]) or not low <= settings[key] <= high):
            code = "timeout_over_limit" if key == "timeout_seconds" and _is_number(settings[key]) and settings[key] > high else ""
            problems.append(Problem(code or "setting_out_of_range", node_id, f"settings.{key}", {"min": low, "max": high}))
    if "on_error" in settings and settings["on_error"] not in ON_ERROR:
        problems.append(Problem("setting_choice", node_id, "settings.on_error", {"choices": sorted(ON_ERROR)}))
    if settings.get("expression_dialect", "ezflow") not in EXPRESSION_DIALECTS:
        problems.append(Problem("setting_choice", node_id, "settings.expression_dialect", {"choices": sorted(EXPRESSION_DIALECTS)}))
    for key in ("disabled", "execute_once"):
        if key in settings and not isinstance(settings[key], bool):
            problems.append(Problem("not_boolean", node_id, f"settings.{key}"))
    return problems


EXPRESSION_DIALECTS = ("ezflow", "n8n")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_parameters(node_id: str, specs: tuple[Param, ...], values: dict, prefix: str, *, n8n: bool = False) -> list[Problem]:
    problems = []
    for spec in specs:
        path = f"{prefix}.{spec.name}"
        value = values.get(spec.name, spec.default)
        if value is None or value == "" or value == []:
            if spec.required and spec.type not in ("boolean",):
                problems.append(Problem("required", node_id, path, {"label": spec.label}))
            continue
        problems.extend(_check_n8n_value(node_id, spec, value, path) if n8n else _check_value(node_id, spec, value, path))
    return problems


def _check_n8n_value(node_id: str, spec: Param, value: Any, path: str) -> list[Problem]:
    """An n8n expression is JavaScript, checked when it runs (the import report lists those it could not follow);
    the shape of everything else is checked as for any step, without reading {{ }} in literal text."""
    if isinstance(value, str) and value.startswith("="):
        return []  # every parameter of an n8n-dialect step is evaluated, as in n8n
    if spec.type == "conditions" and isinstance(value, list):
        return [
            Problem("bad_condition", node_id, f"{path}[{index}]", {"operators": sorted(_operator_keys())})
            for index, condition in enumerate(value)
            if not isinstance(condition, dict) or condition.get("operator", "equals") not in _operator_keys()
        ]
    if spec.type == "list" and isinstance(value, list) and spec.item_fields:
        problems = []
        for index, entry in enumerate(value):
            if not isinstance(entry, dict):
                problems.append(Problem("not_an_object", node_id, f"{path}[{index}]", {"label": spec.label}))
                continue
            problems.extend(_check_parameters(node_id, spec.item_fields, entry, f"{path}[{index}]", n8n=True))
        return problems
    if spec.type in ("keyvalue", "json", "list") or expressions.n8n_dynamic(value):
        return [] if spec.type != "keyvalue" or isinstance(value, dict) else _check_value(node_id, spec, value, path)
    return _check_value(node_id, spec, value, path) if not expressions.has_expressions(value) else []


def _operator_keys():
    from apps.flows.nodes.builtin.common import OPERATOR_KEYS

    return OPERATOR_KEYS


def _check_value(node_id: str, spec: Param, value: Any, path: str) -> list[Problem]:
    structured = spec.type in ("list", "conditions") and isinstance(value, list)
    if not structured and expressions.has_expressions(value):
        if not spec.expressions:
            return [Problem("expressions_not_allowed", node_id, path, {"label": spec.label})]
        return [Problem("expression_syntax", node_id, path, {"error": message}) for message in _syntax_problems(value)]
    kind = spec.type
    if kind in ("number", "integer"):
        if not _is_number(value) or (kind == "integer" and not float(value).is_integer()):
            return [Problem("not_a_number" if kind == "number" else "not_an_integer", node_id, path, {"label": spec.label})]
        if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
            return [Problem("out_of_range", node_id, path, {"label": spec.label, "min": spec.minimum, "max": spec.maximum})]
    elif kind == "boolean" and not isinstance(value, bool):
        return [Problem("not_boolean", node_id, path, {"label": spec.label})]
    elif kind == "select" and value not in {option for option, _ in spec.options}:
        return [Problem("not_a_choice", node_id, path, {"label": spec.label, "choices": [o for o, _ in spec.options]})]
    elif kind in ("string", "text", "code", "credential") and not isinstance(value, (str, int, float)):
        return [Problem("not_text", node_id, path, {"label": spec.label})]
    elif kind == "keyvalue" and not isinstance(value, dict):
        return [Problem("not_key_value", node_id, path, {"label": spec.label})]
    elif kind == "list":
        if not isinstance(value, list):
            return [Problem("not_a_list", node_id, path, {"label": spec.label})]
        if spec.item_fields:
            problems = []
            for index, entry in enumerate(value):
                if not isinstance(entry, dict):
                    problems.append(Problem("not_an_object", node_id, f"{path}[{index}]", {"label": spec.label}))
                    continue
                problems.extend(_check_parameters(node_id, spec.item_fields, entry, f"{path}[{index}]"))
            return problems
    elif kind == "conditions":
        if not isinstance(value, list):
            return [Problem("not_a_list", node_id, path, {"label": spec.label})]
        from apps.flows.nodes.builtin.common import OPERATOR_KEYS

        problems = []
        for index, condition in enumerate(value):
            if not isinstance(condition, dict) or condition.get("operator", "equals") not in OPERATOR_KEYS:
                problems.append(Problem("bad_condition", node_id, f"{path}[{index}]", {"operators": sorted(OPERATOR_KEYS)}))
                continue
            for side in ("left", "right"):
                for message in _syntax_problems(condition.get(side)):
                    problems.append(Problem("expression_syntax", node_id, f"{path}[{index}].{side}", {"error": message}))
        return problems
    return []


def _syntax_problems(value: Any) -> list[str]:
    if isinstance(value, str):
        return expressions.check_syntax(value) if "{{" in value or "}}" in value else []
    if isinstance(value, dict):
        return [m for v in value.values() for m in _syntax_problems(v)]
    if isinstance(value, list):
        return [m for v in value for m in _syntax_problems(v)]
    return []
