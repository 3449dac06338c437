"""Import (EZFlow or n8n JSON) and export of flows. Exports never carry secrets or credential references."""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.flows.engine.n8n import import_n8n, workflows_in
from apps.flows.engine.n8n_export import export_n8n
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


def flow_export_n8n(*, flow: Flow) -> dict:
    """The flow as an n8n workflow (steps without an n8n equivalent become No Operation nodes, listed in `skipped`)."""
    result = export_n8n(graph_without_secrets(flow.draft), flow.name, load_builtin_nodes())
    return {"workflow": result.workflow, "skipped": result.skipped, "warnings": result.warnings}


def flow_import(*, user, data) -> dict:
    """One flow from an EZFlow export or an n8n workflow; a file holding several n8n workflows (a JSON array, as n8n's
    CLI exports them) becomes one flow each, all or none: the first is described at the top, every one in `flows`."""
    workflows = workflows_in(data)
    if not isinstance(data, dict | list) or (isinstance(data, list) and not workflows):
        raise DomainError(_("Send the exported flow as a JSON object."), code="invalid")
    if workflows:
        with transaction.atomic():
            results = [_import_one(user, workflow) for workflow in workflows[:MAX_WORKFLOWS_PER_FILE]]
        return {**results[0], "flows": results}
    if data.get("format") == "ezflow/1" and isinstance(data.get("graph"), dict):
        graph_shape_check(data["graph"])
        flow = flow_create(
            user=user,
            name=str(data.get("name") or _("Imported flow"))[:200],
            description=str(data.get("description") or ""),
            tags=data.get("tags") if isinstance(data.get("tags"), list) else [],
            graph=graph_without_secrets(data["graph"]),
        )
        result = {"flow": flow, "source": "ezflow", "unsupported": [], "warnings": [], "report": [], "credentials": []}
        result["problems"] = problems_payload(validate_graph(flow.draft))
        return {**result, "flows": [result]}
    raise DomainError(_("This is neither an EZFlow export nor an n8n workflow."), code="unknown_format")


MAX_WORKFLOWS_PER_FILE = 100


def _import_one(user, workflow: dict) -> dict:
    imported = import_n8n(workflow)
    graph_shape_check(imported.graph)
    flow = flow_create(user=user, name=imported.name[:200], description="", tags=[], graph=graph_without_secrets(imported.graph))
    return {
        "flow": flow,
        "source": "n8n",
        "unsupported": imported.unsupported,
        "warnings": imported.warnings,
        "report": imported.report,
        "credentials": imported.credentials,
        "problems": problems_payload(validate_graph(flow.draft)),
    }
