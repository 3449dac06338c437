"""Node types by stable key. A key never changes once flows store it; `version` handles parameter changes.

Apps register their step types from AppConfig.ready() (see apps.core.discovery); the registry checks each type's
declarations when it is registered, so a mistake shows when the server starts, not in a run.
"""

from __future__ import annotations

from apps.flows.nodes.base import NodeType
from apps.flows.triggers.registry import trigger_kinds


class NodeRegistry:
    def __init__(self):
        self._types: dict[str, NodeType] = {}
        self._n8n: dict[str, list[tuple[NodeType, object]]] = {}

    def register(self, node_class: type[NodeType]) -> type[NodeType]:
        key = node_class.key
        if key in self._types and type(self._types[key]) is not node_class:
            raise ValueError(f"node type key {key!r} is already registered")
        if key in self._types:
            return node_class
        node_type = node_class()
        _check_declarations(node_type)
        for mapping in node_type.n8n:
            for name in mapping.types:
                taken = [entry for entry in self._n8n.get(name, []) if entry[0].key != key and entry[1].when is None]
                if taken and mapping.when is None:
                    raise ValueError(f"n8n type {name!r} already imports as {taken[0][0].key!r}")
                entries = self._n8n.setdefault(name, [])
                entries.append((node_type, mapping))
                entries.sort(key=lambda entry: entry[1].when is None)  # conditional mappings are tried first
        self._types[key] = node_type
        return node_class

    def unregister(self, key: str) -> None:
        """For tests that register a throw-away type."""
        self._types.pop(key, None)
        self._n8n = {name: [e for e in entries if e[0].key != key] for name, entries in self._n8n.items()}

    def get(self, key: str) -> NodeType | None:
        return self._types.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._types

    def keys(self) -> list[str]:
        return sorted(self._types)

    def all(self) -> list[NodeType]:
        return sorted(self._types.values(), key=lambda n: (n.category, n.key))

    def trigger_kind_of(self, node: dict) -> str | None:
        """The trigger kind of a stored graph node (None for unknown types and steps that are not triggers)."""
        node_type = self._types.get(node.get("type")) if isinstance(node, dict) and isinstance(node.get("type"), str) else None
        return node_type.trigger_kind if node_type is not None else None

    def n8n_mapping(self, n8n_type: str, node: dict | None = None):
        """(node type, N8nMapping) importing the n8n node type `n8n_type` (this `node` of it: a mapping may apply only
        to some, like the Code node's JavaScript or Python), or None."""
        for node_type, mapping in self._n8n.get(n8n_type, []):
            if mapping.when is None or mapping.when(node or {}):
                return node_type, mapping
        return None

    def n8n_types(self) -> list[str]:
        return sorted(name for name, entries in self._n8n.items() if entries)


def _check_declarations(node_type: NodeType) -> None:
    key = node_type.key
    if not isinstance(key, str) or "." not in key:
        raise ValueError(f"node type key {key!r} must be a dotted string like 'acme.send'")
    names = {param.name for param in node_type.params}
    if bool(node_type.trigger_kind) != node_type.is_trigger:
        raise ValueError(f"{key}: a trigger declares its trigger_kind, and only triggers do")
    if node_type.trigger_kind and node_type.trigger_kind not in trigger_kinds:
        raise ValueError(f"{key}: trigger kind {node_type.trigger_kind!r} is not registered (register it before the step)")
    unknown = set(node_type.secret_params) - names
    if unknown:
        raise ValueError(f"{key}: secret_params names no parameter: {sorted(unknown)}")
    dynamic = node_type.dynamic_outputs
    if dynamic is not None and not any(p.name == dynamic.source and p.type == "list" for p in node_type.params):
        raise ValueError(f"{key}: dynamic_outputs come from {dynamic.source!r}, which is not a list parameter")
    if not isinstance(node_type.version, int) or node_type.version < 1:
        raise ValueError(f"{key}: version must be a whole number from 1")
    stray = [v for v in node_type.migrations if not isinstance(v, int) or not 1 <= v < node_type.version]
    if stray:
        raise ValueError(f"{key}: migrations from versions {stray} do not lead to version {node_type.version}")


registry = NodeRegistry()
register = registry.register


def load_builtin_nodes() -> NodeRegistry:
    """The registry (kept for its many callers). Every installed app has registered its types in ready()."""
    return registry
