"""The flow graph format (`ezflow/1`): nodes with stable ids and edges from an output port to an input port."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

FORMAT = "ezflow/1"

# The longest a step may run (settings.EZFLOW_MAX_STEP_TIMEOUT_SECONDS, applied by the flows app when it loads):
# saving a longer timeout is refused, and one stored before the limit existed runs with the limit.
STEP_TIMEOUT_LIMITS = {"max_seconds": 900}

DEFAULT_SETTINGS = {
    "retry_attempts": 1,  # total tries, 1 = no retry
    "retry_backoff_seconds": 1.0,
    "timeout_seconds": 300,
    "on_error": "stop",  # stop | continue | error_output
    "disabled": False,
    "execute_once": False,
    "notes": "",
    # "n8n": the step came from n8n and keeps n8n's expressions (a string starting with "=", JavaScript inside {{ }}),
    # evaluated in the JavaScript sandbox; other strings are literal text there, even with {{ }} in them.
    "expression_dialect": "ezflow",
}


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    type_version: int = 1
    position: tuple[float, float] = (0, 0)
    settings: dict[str, Any] = field(default_factory=dict)

    def setting(self, key: str) -> Any:
        value = self.settings.get(key, DEFAULT_SETTINGS[key])
        if key == "timeout_seconds":
            return min(value, STEP_TIMEOUT_LIMITS["max_seconds"])
        return value


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    source_port: str = "main"
    target_port: str = "main"


@dataclass
class Graph:
    nodes: dict[str, Node]
    edges: list[Edge]
    pinned: dict[str, list[dict]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> Graph:
        """Builds the graph from already validated data (see validation.validate_graph)."""
        nodes = {}
        for raw in data.get("nodes", []):
            position = raw.get("position") or [0, 0]
            nodes[raw["id"]] = Node(
                id=raw["id"],
                type=raw["type"],
                name=raw.get("name") or raw["id"],
                parameters=raw.get("parameters") or {},
                type_version=raw.get("type_version", 1),
                position=(position[0], position[1]),
                settings=raw.get("settings") or {},
            )
        edges = [Edge(e["source"], e["target"], e.get("source_port", "main"), e.get("target_port", "main")) for e in data.get("edges", [])]
        return cls(nodes=nodes, edges=edges, pinned=dict(data.get("pinned") or {}))

    def by_name(self) -> dict[str, Node]:
        return {node.name: node for node in self.nodes.values()}

    def outgoing(self) -> dict[str, list[Edge]]:
        result: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            result[edge.source].append(edge)
        return result

    def incoming(self) -> dict[str, list[Edge]]:
        result: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            result[edge.target].append(edge)
        return result


def reachable(graph: Graph, starts: list[str], *, stop_at: set[str] = frozenset(), edges_from: dict | None = None) -> set[str]:
    outgoing = edges_from if edges_from is not None else graph.outgoing()
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id in stop_at:
            continue
        seen.add(node_id)
        stack.extend(edge.target for edge in outgoing.get(node_id, []))
    return seen


def topological_order(node_ids: set[str], edges: list[Edge]) -> list[str] | None:
    """Kahn's algorithm, stable by node id; None when the edges among node_ids contain a cycle."""
    indegree = dict.fromkeys(node_ids, 0)
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.source in node_ids and edge.target in node_ids:
            indegree[edge.target] += 1
            successors[edge.source].append(edge.target)
    ready = sorted(n for n, d in indegree.items() if d == 0)
    order = []
    while ready:
        current = ready.pop(0)
        order.append(current)
        for target in successors[current]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
                ready.sort()
    return order if len(order) == len(node_ids) else None


def loop_back_edges(graph: Graph, loop_ids: set[str]) -> set[Edge]:
    """Edges that return into a loop node from its own body: they close the loop, not the graph."""
    outgoing = graph.outgoing()
    back = set()
    for loop_id in loop_ids:
        body_starts = [e.target for e in outgoing.get(loop_id, []) if e.source_port == "loop"]
        body = reachable(graph, body_starts, stop_at={loop_id})
        for edge in graph.edges:
            if edge.target == loop_id and edge.source in body:
                back.add(edge)
    return back
