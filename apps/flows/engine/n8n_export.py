"""Writing a flow as an n8n workflow, for the steps that have an n8n equivalent, so nobody is locked in.

Each step type that can be written declares it on its n8n mapping (`N8nMapping.export`: our parameters -> n8n's);
a placeholder step gives back the node it stood for. Steps without an equivalent become n8n No Operation nodes
named after them, listed in `skipped`, with their connections kept. Expressions: a step imported from n8n kept
n8n's own; EZFlow's `{{ json.a.b }}` becomes `{{ $json.a.b }}` where that is the same, and is listed otherwise.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from apps.flows.nodes.registry import NodeRegistry
from apps.flows.nodes.registry import registry as default_registry

_SIMPLE_PATH = re.compile(r"\{\{\s*json((?:\.[A-Za-z_]\w*|\[\d+\]|\[(['\"])[^'\"]*\2\])*)\s*\}\}")


@dataclass
class ExportResult:
    workflow: dict
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def to_n8n_expression(value: Any, warnings: list, node_name: str) -> Any:
    """EZFlow text with `{{ json.path }}` as n8n's `={{ $json.path }}`; other expressions are listed for review."""
    if isinstance(value, dict):
        return {k: to_n8n_expression(v, warnings, node_name) for k, v in value.items()}
    if isinstance(value, list):
        return [to_n8n_expression(v, warnings, node_name) for v in value]
    if not isinstance(value, str) or "{{" not in value:
        return value
    converted = _SIMPLE_PATH.sub(lambda m: "{{ $json" + m.group(1) + " }}", value)
    if re.search(r"\{\{(?!\s*\$json)", converted):
        warnings.append({"node": node_name, "code": "expression_review", "message": f"Check this expression in n8n: {value[:200]}"})
    return "=" + converted


def export_n8n(graph: dict, name: str, registry: NodeRegistry | None = None) -> ExportResult:
    registry = registry or default_registry
    result = ExportResult(workflow={"name": name, "nodes": [], "connections": {}, "settings": {}, "pinData": {}})
    names: dict[str, str] = {}
    outputs: dict[str, Any] = {}
    inputs: dict[str, Any] = {}
    for node in graph.get("nodes") or []:
        node_type = registry.get(node.get("type"))
        mappings = [m for m in (node_type.n8n if node_type else ()) if m.export is not None]
        parameters = node.get("parameters") or {}
        n8n_dialect = (node.get("settings") or {}).get("expression_dialect") == "n8n"
        warnings: list[dict] = []
        if mappings:
            mapping = mappings[0]
            exported = mapping.export(parameters)
            if not n8n_dialect and exported.get("type") not in ("n8n-nodes-base.stickyNote",):
                exported["parameters"] = to_n8n_expression(exported["parameters"], warnings, node.get("name", ""))
            n8n_type, version, n8n_parameters = exported["type"], exported.get("typeVersion", 1), exported["parameters"]
            # a step whose ports depend on its parameters (the switch's rules) names them in n8n's order itself
            outputs[node["id"]] = exported.pop("outputs", None) or mapping.export_outputs or mapping.outputs
            inputs[node["id"]] = mapping.inputs
        else:
            n8n_type, version, n8n_parameters = "n8n-nodes-base.noOp", 1, {}
            result.skipped.append({"node": node.get("name", ""), "type": node.get("type", "")})
            outputs[node["id"]], inputs[node["id"]] = (node_type.outputs if node_type else ("main",)), ("main",)
        result.warnings.extend(warnings)
        names[node["id"]] = str(node.get("name") or node["id"])
        n8n_node = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ezflow:{node['id']}")),
            "name": names[node["id"]],
            "type": n8n_type,
            "typeVersion": version,
            "position": list(node.get("position") or [0, 0]),
            "parameters": n8n_parameters,
        }
        settings = node.get("settings") or {}
        if settings.get("disabled"):
            n8n_node["disabled"] = True
        if settings.get("notes"):
            n8n_node["notes"] = settings["notes"]
        if settings.get("retry_attempts", 1) > 1:
            n8n_node.update(retryOnFail=True, maxTries=settings["retry_attempts"])
        if settings.get("on_error") in ("continue", "error_output"):
            n8n_node["onError"] = {"continue": "continueRegularOutput", "error_output": "continueErrorOutput"}[settings["on_error"]]
        result.workflow["nodes"].append(n8n_node)
    for edge in graph.get("edges") or []:
        source, target = edge.get("source"), edge.get("target")
        if source not in names or target not in names:
            continue
        ports = list(outputs.get(source) or ("main",))
        port = edge.get("source_port", "main")
        output_index = ports.index(port) if port in ports else (int(port) if str(port).isdigit() else 0)
        target_inputs = list(inputs.get(target) or ("main",))
        target_port = edge.get("target_port", "main")
        input_index = target_inputs.index(target_port) if target_port in target_inputs else 0
        lists = result.workflow["connections"].setdefault(names[source], {"main": []})["main"]
        while len(lists) <= output_index:
            lists.append([])
        lists[output_index].append({"node": names[target], "type": "main", "index": input_index})
    return result
