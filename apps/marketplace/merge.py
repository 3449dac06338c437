"""Three-way merge of flow graphs (pure Python): the graph as installed (base), the organization's copy (local) and
a newer template version (upstream). Upstream changes apply where the copy did not change the same thing; where both
changed it differently, the copy's value stays and a conflict is listed. Values the template never carries (credential
choices, webhook secrets: blank upstream and in base) therefore always keep the organization's values."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

MISSING = object()
QUIET_FIELDS = {"position"}  # layout: the copy's wins without a conflict


@dataclass
class MergeResult:
    graph: dict
    conflicts: list[dict] = field(default_factory=list)  # {"node_id", "node_name", "path", "local", "upstream"}


def _merge_value(base: Any, local: Any, upstream: Any, path: str, conflicts: list, node: dict) -> Any:
    if local == upstream:
        return local
    if _same(local, base):
        return upstream
    if _same(upstream, base):
        return local
    if all(isinstance(v, dict) for v in (local, upstream)) and (base is MISSING or isinstance(base, dict)):
        base = base if isinstance(base, dict) else {}
        merged = {}
        for key in list(local) + [k for k in upstream if k not in local]:
            value = _merge_value(
                base.get(key, MISSING),
                local.get(key, MISSING),
                upstream.get(key, MISSING),
                f"{path}.{key}" if path else key,
                conflicts,
                node,
            )
            if value is not MISSING:
                merged[key] = value
        return merged
    if path.split(".")[0] not in QUIET_FIELDS:
        conflicts.append(
            {
                "node_id": node.get("id"),
                "node_name": node.get("name") or node.get("id"),
                "path": path,
                "local": None if local is MISSING else local,
                "upstream": None if upstream is MISSING else upstream,
            }
        )
    return local


def _same(a: Any, b: Any) -> bool:
    return (a is MISSING and b is MISSING) or (a is not MISSING and b is not MISSING and a == b)


def _edge_key(edge: dict) -> tuple:
    return (edge.get("source"), edge.get("source_port", "main"), edge.get("target"), edge.get("target_port", "main"))


def merge_graphs(base: dict, local: dict, upstream: dict) -> MergeResult:
    base_nodes = {n["id"]: n for n in base.get("nodes", []) if isinstance(n, dict) and "id" in n}
    local_nodes = {n["id"]: n for n in local.get("nodes", []) if isinstance(n, dict) and "id" in n}
    upstream_nodes = {n["id"]: n for n in upstream.get("nodes", []) if isinstance(n, dict) and "id" in n}
    conflicts: list[dict] = []
    nodes: list[dict] = []
    for node_id, mine in local_nodes.items():
        theirs, original = upstream_nodes.get(node_id), base_nodes.get(node_id)
        if original is None:
            nodes.append(copy.deepcopy(mine))  # added by the organization
        elif theirs is None:
            if mine == original:
                continue  # removed upstream, untouched here
            conflicts.append(
                {"node_id": node_id, "node_name": mine.get("name") or node_id, "path": "", "local": "changed", "upstream": "removed"}
            )
            nodes.append(copy.deepcopy(mine))
        else:
            nodes.append(copy.deepcopy(_merge_value(original, mine, theirs, "", conflicts, mine)))
    for node_id, theirs in upstream_nodes.items():
        if node_id not in local_nodes and node_id not in base_nodes:
            nodes.append(copy.deepcopy(theirs))  # new upstream
        elif node_id not in local_nodes and base_nodes.get(node_id) != theirs:
            conflicts.append(
                {"node_id": node_id, "node_name": theirs.get("name") or node_id, "path": "", "local": "removed", "upstream": "changed"}
            )
    base_edges = {_edge_key(e) for e in base.get("edges", [])}
    upstream_edges = {_edge_key(e): e for e in upstream.get("edges", [])}
    kept = [e for e in local.get("edges", []) if _edge_key(e) not in base_edges or _edge_key(e) in upstream_edges]
    keys = {_edge_key(e) for e in kept}
    kept += [e for key, e in upstream_edges.items() if key not in base_edges and key not in keys]
    present = {n["id"] for n in nodes}
    edges = [copy.deepcopy(e) for e in kept if e.get("source") in present and e.get("target") in present]
    graph = {"format": "ezflow/1", "nodes": nodes, "edges": edges}
    if "pinned" in local:
        graph["pinned"] = copy.deepcopy(local["pinned"])
    return MergeResult(graph=graph, conflicts=conflicts)
