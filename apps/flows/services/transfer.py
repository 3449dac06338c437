"""Import (EZFlow or n8n JSON) and export of flows. Exports never carry secrets or credential references."""

from __future__ import annotations

import copy

from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.flows.engine.n8n import import_n8n, looks_like_n8n
from apps.flows.engine.validation import validate_graph
from apps.flows.models import Flow
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.problems import problems_payload
from apps.flows.scrub import scrub_node_secrets
from apps.flows.services.flows import flow_create, graph_shape_check


def graph_without_secrets(graph: dict) -> dict:
    """A copy without pinned test data, credential references, webhook secrets and secrets typed into steps (header
    and query values, keys in addresses or code): the same scrubbing as sharing a template (apps/flows/scrub.py)."""
    registry = load_builtin_nodes()
    clean = copy.deepcopy({key: value for key, value in graph.items() if key != "pinned"})
    for node in clean.get("nodes", []):
        if isinstance(node, dict):
            scrub_node_secrets(node, registry.get(node.get("type")), lambda path, kind: None)
    return clean


def flow_export(*, flow: Flow) -> dict:
    return {
        "format": "ezflow/1",
        "name": flow.name,
        "description": flow.description,
        "tags": flow.tags,
        "graph": graph_without_secrets(flow.draft),
    }


def flow_import(*, user, data) -> dict:
    if not isinstance(data, dict):
        raise DomainError(_("Send the exported flow as a JSON object."), code="invalid")
    if looks_like_n8n(data):
        result = import_n8n(data)
        name, graph, unsupported, warnings, source = result.name, result.graph, result.unsupported, result.warnings, "n8n"
        description, tags = "", []
    elif data.get("format") == "ezflow/1" and isinstance(data.get("graph"), dict):
        name, graph, unsupported, warnings, source = data.get("name") or _("Imported flow"), data["graph"], [], [], "ezflow"
        description, tags = str(data.get("description") or ""), data.get("tags") or []
    else:
        raise DomainError(_("This is neither an EZFlow export nor an n8n workflow."), code="unknown_format")
    graph_shape_check(graph)
    flow = flow_create(
        user=user,
        name=str(name)[:200],
        description=description,
        tags=tags if isinstance(tags, list) else [],
        graph=graph_without_secrets(graph),
    )
    return {
        "flow": flow,
        "source": source,
        "unsupported": unsupported,
        "warnings": warnings,
        "problems": problems_payload(validate_graph(flow.draft)),
    }
