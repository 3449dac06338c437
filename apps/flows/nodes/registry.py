"""Node types by stable key. A key never changes once flows store it; `version` handles parameter changes."""

from __future__ import annotations

from apps.flows.nodes.base import NodeType


class NodeRegistry:
    def __init__(self):
        self._types: dict[str, NodeType] = {}

    def register(self, node_class: type[NodeType]) -> type[NodeType]:
        key = node_class.key
        if key in self._types and type(self._types[key]) is not node_class:
            raise ValueError(f"node type key {key!r} is already registered")
        self._types[key] = node_class()
        return node_class

    def get(self, key: str) -> NodeType | None:
        return self._types.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._types

    def all(self) -> list[NodeType]:
        return sorted(self._types.values(), key=lambda n: (n.category, n.key))


registry = NodeRegistry()
register = registry.register


def load_builtin_nodes() -> NodeRegistry:
    from apps.flows.nodes.builtin import code, data, flow_control, network, transform, triggers  # noqa: F401  (registration)

    return registry
