"""The templates EZFlow ships: one `ezflow-template/1` JSON file per template in this folder (see docs/templates.md).

Files hold no secrets: credential parameters are empty and listed under `credentials` by type, and values that
differ per organization are organization variables (`{{ vars.name }}`) listed under `variables`.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
FORMAT = "ezflow-template/1"
LANGUAGES = ("ko", "en")
CATEGORIES = ("sales", "marketing", "support", "hr", "finance", "operations", "it", "productivity", "data", "other")  # marketplace Category
TRANSLATED_FIELDS = ("title", "summary", "description", "changelog")
VARIABLE_RE = re.compile(r"\bvars\.([A-Za-z_][A-Za-z0-9_]*)")


@cache
def _read_all() -> tuple[dict, ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8")) for path in sorted(FOLDER.glob("*.json")))


def shipped_templates() -> list[dict]:
    """Every shipped template (deep copies: callers may change them)."""
    return copy.deepcopy(list(_read_all()))


def shipped_template(slug: str) -> dict | None:
    return next((t for t in shipped_templates() if t["slug"] == slug), None)


def credential_slots(template: dict) -> list[tuple[str, str, str]]:
    """(node id, parameter name, credential type) for every credential the template's graph needs."""
    from apps.flows.nodes.registry import load_builtin_nodes

    registry = load_builtin_nodes()
    declared = {node_id: entry["type"] for entry in template.get("credentials", []) for node_id in entry.get("nodes", [])}
    slots = []
    for node in template["graph"]["nodes"]:
        node_type = registry.get(node["type"])
        for spec in node_type.params if node_type else ():
            if spec.type != "credential":
                continue
            parameters = node.get("parameters") or {}
            if spec.name in parameters or spec.required:
                used = spec.credential_type or parameters.get("authentication", "")
                if used and used != "none":
                    slots.append((node["id"], spec.name, declared.get(node["id"], used)))
    return slots


def variables_used(template: dict) -> set[str]:
    return set(VARIABLE_RE.findall(json.dumps(template["graph"], ensure_ascii=False)))


def graph_with_credentials(template: dict, chosen: dict[str, str]) -> dict:
    """The graph with each credential slot set to the id chosen for its node (node id → credential id)."""
    graph = copy.deepcopy(template["graph"])
    by_id = {node["id"]: node for node in graph["nodes"]}
    for node_id, param, _type in credential_slots(template):
        if node_id in chosen:
            by_id[node_id].setdefault("parameters", {})[param] = str(chosen[node_id])
    return graph
