"""Converting n8n workflow JSON into an `ezflow/1` graph, for the n8n node types some step type imports.

Each step type declares the n8n node types it stands for and converts their parameters (`NodeType.n8n`, see
apps.flows.nodes.n8n); this module only looks them up, keeps ids, positions, settings and connections, and reports.
Nodes without an equivalent are never dropped silently: each is listed in `unsupported` and left on the canvas as
the note n8n's own sticky note imports to, at its position, so the person sees what to rebuild.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apps.flows.nodes.n8n import PREFIX, full_type_name
from apps.flows.nodes.registry import NodeRegistry
from apps.flows.nodes.registry import registry as default_registry

STICKY_NOTE = PREFIX + "stickyNote"


@dataclass
class ImportResult:
    graph: dict
    name: str
    unsupported: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


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
    converted = mapping.convert(raw)
    if converted is None:
        return None
    parameters, node_warnings = converted
    warnings.extend(node_warnings)
    return node_type, mapping, parameters


def _placeholder(name: str, raw: dict, registry: NodeRegistry) -> tuple[str, int, dict]:
    found = registry.n8n_mapping(STICKY_NOTE)
    if found is None:
        raise LookupError("no step type imports n8n's sticky note, so unsupported nodes cannot be shown")
    node_type, mapping = found
    text = f"Not imported: “{name}” ({raw.get('type', '')}) has no EZFlow equivalent yet."
    parameters, _ = mapping.convert({"name": name, "type": STICKY_NOTE, "parameters": {"content": text}})
    return node_type.key, node_type.version, parameters


def import_n8n(data: dict, registry: NodeRegistry | None = None) -> ImportResult:
    registry = registry or default_registry
    warnings: list[dict] = []
    unsupported: list[dict] = []
    nodes, ids = [], {}
    used_ids: set[str] = set()
    for index, raw in enumerate(data.get("nodes") or []):
        if not isinstance(raw, dict):
            continue
        name = str(raw.get("name") or f"Node {index + 1}")
        converted = _convert(raw, registry, warnings)
        base_id = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"node-{index + 1}"
        node_id = base_id
        while node_id in used_ids:
            node_id = f"{base_id}-{len(used_ids)}"
        used_ids.add(node_id)
        position = raw.get("position") or [0, 0]
        if converted is None:
            unsupported.append({"name": name, "type": raw.get("type", "")})
            note_type, note_version, note_parameters = _placeholder(name, raw, registry)
            nodes.append(
                {
                    "id": node_id,
                    "type": note_type,
                    "name": name,
                    "type_version": note_version,
                    "position": position,
                    "parameters": note_parameters,
                    "settings": {},
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
                "settings": _settings(raw),
            }
        )
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
                            "message": f"The connection from “{source_name}” to “{target_name}” touches a node that was not imported.",
                        }
                    )
                    continue
                source_id, source_raw, source_mapping, source_parameters = ids[source_name]
                target_id, _, target_mapping, _ = ids[target_name]
                target_port = target_mapping.port_for_input(target.get("index", 0))
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
    return ImportResult(
        graph={"format": "ezflow/1", "nodes": nodes, "edges": edges},
        name=str(data.get("name") or "Imported flow"),
        unsupported=unsupported,
        warnings=warnings,
    )


def looks_like_n8n(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("nodes"), list) and isinstance(data.get("connections"), dict)
