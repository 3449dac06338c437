"""What changed between two graphs: nodes and edges added or removed, parameters and settings changed."""

from __future__ import annotations

from typing import Any


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def _edge_key(edge: dict) -> tuple:
    return (edge.get("source"), edge.get("source_port", "main"), edge.get("target"), edge.get("target_port", "main"))


def graph_diff(before: dict, after: dict) -> dict:
    old_nodes = {n["id"]: n for n in before.get("nodes", [])}
    new_nodes = {n["id"]: n for n in after.get("nodes", [])}
    changed = []
    for node_id in sorted(old_nodes.keys() & new_nodes.keys()):
        a, b = old_nodes[node_id], new_nodes[node_id]
        fields = {}
        for part in ("name", "type", "type_version"):
            if a.get(part) != b.get(part):
                fields[part] = {"before": a.get(part), "after": b.get(part)}
        for part in ("parameters", "settings"):
            flat_a, flat_b = _flatten(a.get(part) or {}, part), _flatten(b.get(part) or {}, part)
            for path in sorted(flat_a.keys() | flat_b.keys()):
                if flat_a.get(path) != flat_b.get(path):
                    fields[path] = {"before": flat_a.get(path), "after": flat_b.get(path)}
        if (a.get("position") or [0, 0]) != (b.get("position") or [0, 0]):
            fields["position"] = {"before": a.get("position"), "after": b.get("position")}
        if fields:
            changed.append({"id": node_id, "name": b.get("name") or node_id, "changes": fields})
    old_edges = {_edge_key(e): e for e in before.get("edges", [])}
    new_edges = {_edge_key(e): e for e in after.get("edges", [])}
    return {
        "nodes": {
            "added": [new_nodes[i] for i in sorted(new_nodes.keys() - old_nodes.keys())],
            "removed": [old_nodes[i] for i in sorted(old_nodes.keys() - new_nodes.keys())],
            "changed": changed,
        },
        "edges": {
            "added": [new_edges[k] for k in sorted(new_edges.keys() - old_edges.keys(), key=str)],
            "removed": [old_edges[k] for k in sorted(old_edges.keys() - new_edges.keys(), key=str)],
        },
    }
