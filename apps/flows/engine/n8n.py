"""Converting n8n workflow JSON into an `ezflow/1` graph, for the n8n node types some step type imports.

Each step type declares the n8n node types it stands for and converts their parameters (`NodeType.n8n`, see
apps.flows.nodes.n8n); this module only looks them up, keeps ids, positions, settings and connections, and reports.
Nodes without an equivalent are never dropped silently: each is listed in `unsupported` and becomes a placeholder
step (flow.placeholder) at its position, keeping its connections and what it was, so the person sees what to rebuild.
Every imported step keeps n8n's expressions (settings.expression_dialect = "n8n"; see docs/n8n.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apps.flows.nodes.n8n import PREFIX, UNMAPPED, UNMAPPED_TRIGGER, full_type_name
from apps.flows.nodes.registry import NodeRegistry
from apps.flows.nodes.registry import registry as default_registry

STICKY_NOTE = PREFIX + "stickyNote"


@dataclass
class ImportResult:
    graph: dict
    name: str
    unsupported: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    # One entry per n8n node: {"node", "n8n_type", "step_type", "status": imported | check | placeholder, "reasons"}.
    report: list[dict] = field(default_factory=list)
    credentials: list[dict] = field(default_factory=list)


def _settings(node: dict) -> dict:
    settings: dict[str, Any] = {}
    if node.get("disabled"):
        settings["disabled"] = True
    if node.get("retryOnFail"):
        settings["retry_attempts"] = max(1, min(int(node.get("maxTries", 3)), 10))
        settings["retry_backoff_seconds"] = min(float(node.get("waitBetweenTries", 1000)) / 1000, 3600)
    on_error = node.get("onError") or ("continueRegularOutput" if node.get("continueOnFail") else None)
    if on_error:
        settings["on_error"] = {"continueRegularOutput": "continue", "continueErrorOutput": "error_output"}.get(on_error, "stop")
    if node.get("executeOnce"):
        settings["execute_once"] = True
    if node.get("notes"):
        settings["notes"] = str(node["notes"])[:2000]
    return settings


def _convert(raw: dict, registry: NodeRegistry, warnings: list):
    """(our node type, its mapping, our parameters) for an n8n node, or None when no step imports it."""
    found = registry.n8n_mapping(full_type_name(raw.get("type")), raw)
    if found is None:
        return None
    node_type, mapping = found
    try:
        converted = mapping.convert(raw)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        # a node whose parameters are not in the shape the converter knows: kept as a placeholder, never a crash
        name = raw.get("name", "")
        warnings.append({"node": name, "code": "unreadable", "message": f"The settings of “{name}” could not be read."})
        return None
    if converted is None:
        return None
    parameters, node_warnings = converted
    warnings.extend(node_warnings)
    return node_type, mapping, parameters


def _placeholder(name: str, raw: dict, registry: NodeRegistry) -> tuple[str, int, dict]:
    is_trigger = str(raw.get("type", "")).lower().endswith("trigger")
    found = (is_trigger and registry.n8n_mapping(UNMAPPED_TRIGGER)) or registry.n8n_mapping(UNMAPPED)
    if found is None:
        raise LookupError("no step stands in for unmapped n8n nodes, so they cannot be kept")
    node_type, mapping = found
    parameters, _ = mapping.convert(raw)
    return node_type.key, node_type.version, parameters


def _attachments(data: dict, registry: NodeRegistry) -> tuple[dict[str, dict], dict[str, str]]:
    """n8n's sub-nodes (a chat model, a tool, a memory...) hang on a root node through connections other than "main".
    Returns, for each root whose step absorbs them, {kind: [sub-nodes]}, and each absorbed sub-node's root."""
    by_name = {str(raw.get("name")): raw for raw in data.get("nodes") or [] if isinstance(raw, dict)}
    attached: dict[str, dict] = {}
    absorbed: dict[str, str] = {}
    for source, outputs in (data.get("connections") or {}).items():
        if not isinstance(outputs, dict) or source not in by_name:
            continue
        for kind, lists in outputs.items():
            if kind == "main" or not isinstance(lists, list):
                continue
            for targets in lists:
                for target in targets or []:
                    root = by_name.get(target.get("node")) if isinstance(target, dict) else None
                    if root is None:
                        continue
                    found = registry.n8n_mapping(full_type_name(root.get("type")), root)
                    if found is None or kind not in found[1].absorbs:
                        continue
                    attached.setdefault(str(root.get("name")), {}).setdefault(kind, []).append(by_name[source])
                    absorbed.setdefault(source, str(root.get("name")))
    return attached, absorbed


def import_n8n(data: dict, registry: NodeRegistry | None = None) -> ImportResult:
    registry = registry or default_registry
    warnings: list[dict] = []
    unsupported: list[dict] = []
    nodes, ids = [], {}
    used_ids: set[str] = set()
    attached, absorbed = _attachments(data, registry)
    for index, raw in enumerate(data.get("nodes") or []):
        if not isinstance(raw, dict):
            continue
        name = str(raw.get("name") or f"Node {index + 1}")
        if name in absorbed:
            continue  # part of its root step's settings (see _attachments); listed in the report
        if name in attached:
            raw = {**raw, "_attached": attached[name]}
        converted = _convert(raw, registry, warnings)
        base_id = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"node-{index + 1}"
        node_id = base_id
        while node_id in used_ids:
            node_id = f"{base_id}-{len(used_ids)}"
        used_ids.add(node_id)
        position = raw.get("position") or [0, 0]
        if converted is None:
            unsupported.append({"name": name, "type": raw.get("type", "")})
            step_type, step_version, parameters = _placeholder(name, raw, registry)
            ids[name] = (node_id, raw, None, parameters)
            nodes.append(
                {
                    "id": node_id,
                    "type": step_type,
                    "name": name,
                    "type_version": step_version,
                    "position": position,
                    "parameters": parameters,
                    "settings": {**_settings(raw), "expression_dialect": "n8n"},
                }
            )
            continue
        node_type, mapping, parameters = converted
        ids[name] = (node_id, raw, mapping, parameters)
        nodes.append(
            {
                "id": node_id,
                "type": node_type.key,
                "name": name,
                "type_version": node_type.version,
                "position": position,
                "parameters": parameters,
                "settings": {**_settings(raw), "expression_dialect": "n8n"},
            }
        )
    placeholder_ports = registry.n8n_mapping(UNMAPPED)[1].outputs
    edges = []
    for source_name, outputs in (data.get("connections") or {}).items():
        main = outputs.get("main") if isinstance(outputs, dict) else None
        if not isinstance(main, list) or not all(isinstance(targets, list | None) for targets in main):
            if outputs:
                message = f"The connections of “{source_name}” are not in n8n's format and were left out."
                warnings.append({"node": source_name, "code": "edge_dropped", "message": message})
            continue
        for output_index, targets in enumerate(main):
            for target in targets or []:
                target_name = target.get("node") if isinstance(target, dict) else None
                if source_name not in ids or not isinstance(target_name, str) or target_name not in ids:
                    warnings.append(
                        {
                            "node": source_name,
                            "code": "edge_dropped",
                            "message": f"The connection from “{source_name}” to “{target_name}” names a node that is not in the workflow.",
                        }
                    )
                    continue
                source_id, source_raw, source_mapping, source_parameters = ids[source_name]
                target_id, _, target_mapping, _ = ids[target_name]
                if source_mapping is None and str(source_raw.get("type", "")).lower().endswith("trigger"):
                    source_mapping = registry.n8n_mapping(UNMAPPED_TRIGGER)[1]
                target_port = target_mapping.port_for_input(target.get("index", 0)) if target_mapping else "main"
                if source_mapping is None:
                    source_ports = [placeholder_ports[min(output_index, len(placeholder_ports) - 1)]]
                else:
                    source_ports = source_mapping.ports_for_output(source_raw, source_parameters, output_index)
                if not source_ports:
                    warnings.append(
                        {
                            "node": source_name,
                            "code": "edge_dropped",
                            "message": f"The connection from output {output_index} of “{source_name}” to “{target_name}” "
                            "was left out: no rule sends items to that output.",
                        }
                    )
                for source_port in source_ports:
                    edges.append({"source": source_id, "source_port": source_port, "target": target_id, "target_port": target_port})
    result = ImportResult(
        graph={"format": "ezflow/1", "nodes": nodes, "edges": edges},
        name=str(data.get("name") or "Imported flow"),
        unsupported=unsupported,
        warnings=warnings,
    )
    result.report, result.credentials = _report(data, nodes, warnings, {n["name"] for n in unsupported})
    by_name = {node["name"]: node for node in nodes}
    for sub, root in absorbed.items():
        raw = next((r for r in data.get("nodes") or [] if isinstance(r, dict) and r.get("name") == sub), {})
        result.report.append(
            {
                "node": sub,
                "node_id": by_name.get(root, {}).get("id", ""),
                "n8n_type": str(raw.get("type", "")),
                "step_type": by_name.get(root, {}).get("type", ""),
                "status": "absorbed",
                "root": root,
                "reasons": [],
            }
        )
    return result


def _report(data: dict, nodes: list[dict], warnings: list[dict], unmapped: set[str]) -> tuple[list[dict], list[dict]]:
    """Per step: imported as it was, imported but to check (with the reasons), or kept as a placeholder; and the
    credentials the flow will need (n8n exports name them; their secrets are never in an export)."""
    reasons: dict[str, list[dict]] = {}
    for found in warnings:
        reasons.setdefault(str(found.get("node", "")), []).append({"code": found.get("code", ""), "message": found.get("message", "")})
    raws = {str(raw.get("name") or ""): raw for raw in data.get("nodes") or [] if isinstance(raw, dict)}
    report = []
    for node in nodes:
        raw = raws.get(node["name"], {})
        status = "placeholder" if node["name"] in unmapped else "check" if reasons.get(node["name"]) else "imported"
        report.append(
            {
                "node": node["name"],
                "node_id": node["id"],
                "n8n_type": str(raw.get("type", "")),
                "step_type": node["type"],
                "status": status,
                "reasons": reasons.get(node["name"], []),
            }
        )
    credentials: dict[tuple[str, str], dict] = {}
    for raw in raws.values():
        for kind, reference in (raw.get("credentials") or {}).items() if isinstance(raw.get("credentials"), dict) else []:
            label = reference.get("name", "") if isinstance(reference, dict) else str(reference)
            credentials.setdefault((str(kind), str(label)), {"kind": str(kind), "name": str(label), "nodes": []})["nodes"].append(
                str(raw.get("name", ""))
            )
    return report, list(credentials.values())


def workflows_in(data: Any) -> list[dict]:
    """The n8n workflows in an export: one object, a JSON array of them, or {"workflows": [...]}/{"data": [...]}."""
    if looks_like_n8n(data):
        return [data]
    if isinstance(data, dict):
        for key in ("workflows", "data"):
            if isinstance(data.get(key), list):
                return [w for w in data[key] if looks_like_n8n(w)]
        return []
    if isinstance(data, list):
        return [w for w in data if looks_like_n8n(w)]
    return []


def looks_like_n8n(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("nodes"), list) and isinstance(data.get("connections", {}), dict)
