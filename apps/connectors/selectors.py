"""Reads behind the Connections page."""

from __future__ import annotations

from collections import defaultdict

from apps.flows.models import Flow
from apps.flows.nodes.registry import load_builtin_nodes


def _credential_params(registry, node_type_key: str) -> tuple[str, ...]:
    node_type = registry.get(node_type_key) if isinstance(node_type_key, str) else None
    return tuple(p.name for p in node_type.params if p.type == "credential") if node_type else ()


def flows_using_credentials() -> dict[str, list[Flow]]:
    """Credential id (as text) → the flows whose draft or published version has a step set to that credential."""
    registry, using = load_builtin_nodes(), defaultdict(dict)
    for flow in Flow.objects.select_related("published_version").only("id", "name", "draft", "published_version__graph").order_by("name"):
        graphs = [flow.draft, flow.published_version.graph if flow.published_version else None]
        for graph in graphs:
            for node in (graph or {}).get("nodes") or []:
                if not isinstance(node, dict):
                    continue
                parameters = node.get("parameters") or {}
                for name in _credential_params(registry, node.get("type")):
                    value = parameters.get(name)
                    if value not in (None, ""):
                        using[str(value)][flow.pk] = flow
    return {credential_id: list(flows.values()) for credential_id, flows in using.items()}
