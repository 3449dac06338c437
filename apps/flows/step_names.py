"""Steps as people know them: by the name given in the editor and the label of their type (“HTTP request”), never by
their id (`http_iz0vk8`) or type key (`net.http`). Used by run pages, monitoring and alerts."""

from __future__ import annotations

from django.utils.translation import get_language

from apps.flows.nodes.registry import load_builtin_nodes


def label_text(label: dict | str | None) -> str:
    """A {"en", "ko"} label in the active language."""
    if not label:
        return ""
    if isinstance(label, str):
        return label
    korean = (get_language() or "").startswith("ko")
    return (label.get("ko") if korean else label.get("en")) or label.get("en") or label.get("ko") or ""


def type_label(type_key: str) -> dict:
    """The type's label in both languages (the key itself for a type this server does not know)."""
    node_type = load_builtin_nodes().get(type_key) if isinstance(type_key, str) else None
    return dict(node_type.label) if node_type is not None else {"en": str(type_key or ""), "ko": str(type_key or "")}


def step_of(graph: dict | None, node_id: str | None) -> dict:
    """{"id", "name", "type", "type_label"} of a step of `graph` (its id as the name if the step is gone)."""
    node = next((n for n in (graph or {}).get("nodes", []) if isinstance(n, dict) and n.get("id") == node_id), None) if node_id else None
    if node is None:
        return {"id": node_id or "", "name": node_id or "", "type": "", "type_label": {"en": "", "ko": ""}}
    kind = node.get("type", "")
    return {"id": node_id, "name": str(node.get("name") or node_id), "type": kind, "type_label": type_label(kind)}
