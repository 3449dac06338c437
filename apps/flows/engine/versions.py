"""Bringing stored nodes to their type's current version with the type's own migrations. Pure Python.

Stored graphs keep each node's `type_version`. A graph is upgraded when it is loaded, for a run or for the editor;
the stored copy changes only when someone saves it. Nodes of unknown types are left alone (validation names them).
"""

from __future__ import annotations

import dataclasses

from apps.flows.engine.errors import EngineError, gettext_noop
from apps.flows.engine.graph import Graph
from apps.flows.nodes.base import TypeVersionError
from apps.flows.nodes.registry import NodeRegistry


def upgrade_graph_data(data: dict, registry: NodeRegistry) -> dict:
    """A copy of stored graph JSON with old nodes upgraded; nodes that cannot be upgraded are kept as they are, so
    the editor shows them and validation explains why."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        return data
    nodes, changed = [], False
    for raw in data["nodes"]:
        node_type = registry.get(raw.get("type")) if isinstance(raw, dict) and isinstance(raw.get("type"), str) else None
        if node_type is not None and isinstance(raw.get("parameters", {}), dict) and node_type.needs_upgrade(raw.get("type_version")):
            try:
                parameters = node_type.upgrade(raw.get("parameters") or {}, raw.get("type_version"))
                raw = {**raw, "parameters": parameters, "type_version": node_type.version}
                changed = True
            except TypeVersionError:
                pass
        nodes.append(raw)
    return {**data, "nodes": nodes} if changed else data


def upgrade_graph(graph: Graph, registry: NodeRegistry) -> Graph:
    """The graph to execute, with old nodes upgraded (the same object when none is old)."""
    upgraded = {}
    for node_id, node in graph.nodes.items():
        node_type = registry.get(node.type)
        if node_type is None or not node_type.needs_upgrade(node.type_version):
            continue
        try:
            parameters = node_type.upgrade(node.parameters, node.type_version)
        except TypeVersionError as exc:
            raise EngineError(
                gettext_noop("The step “%(node)s” was saved as version %(stored)s of its kind, which this server cannot run."),
                code=exc.code,
                values={"node": node.name, "stored": exc.stored},
            ) from exc
        upgraded[node_id] = dataclasses.replace(node, parameters=parameters, type_version=node_type.version)
    if not upgraded:
        return graph
    return dataclasses.replace(graph, nodes={**graph.nodes, **upgraded})
