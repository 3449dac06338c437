"""Testing one node of the draft on its own, inside the request."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.sampling import sample_outputs
from apps.flows.error_text import engine_error_text
from apps.flows.host import FlowHost
from apps.flows.models import Flow


def node_test(*, flow: Flow, node_id: str, items: list | None = None, tester_id: int | None = None) -> dict:
    """`tester_id`: the person testing in the editor; steps that can show progress (an LLM answer being written)
    send it to that person's live socket (apps/ai/streaming.py), never to anyone else."""
    graph = Graph.from_dict(flow.draft)
    if node_id not in graph.nodes:
        raise DomainError(_("There is no step with this id in the draft."), code="not_found", status=404)
    if items is None:
        # Use what arrives from the previous node's pinned data, else one empty item.
        upstream = [e.source for e in graph.edges if e.target == node_id]
        items = next((graph.pinned[u] for u in upstream if u in graph.pinned), [{}])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DomainError(_("Input must be a list of JSON objects."), code="invalid", field="items")
    host = FlowHost(organization=connection.tenant)
    host.tester_id = tester_id
    executor = Executor(graph, host=host, flow_meta={"id": flow.pk, "name": flow.name})
    result = executor.run_single(node_id, {"main": items})
    return {
        "node_id": node_id,
        "status": result.status,
        "items_in": result.items_in,
        "items_out": result.items_out,
        "outputs": sample_outputs(result.outputs),
        "error": engine_error_text(result.error, result.error_args),
        "error_code": result.error_code,
    }
