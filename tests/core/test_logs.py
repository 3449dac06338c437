import json
import logging

from django.db import connection

from apps.core.logs import JsonFormatter
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import edge, node


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_run_logs_are_json_with_ids_and_never_item_data(data):
    organization = data.create_organization(slug="logs-co")
    connection.set_tenant(organization)
    graph = {
        "nodes": [node("start", "trigger.manual"), node("stop", "flow.stop_error", "Stop", message="card {{ json.card }}")],
        "edges": [edge("start", "stop")],
    }
    flow = flow_create(user=None, name="Logged", graph=graph)
    flow_publish(flow=flow, user=None)
    handler = Capture()
    logging.getLogger("ezflow.runs").addHandler(handler)
    try:
        run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"card": "4111-1111-1111-1111"}]).pk)
    finally:
        logging.getLogger("ezflow.runs").removeHandler(handler)
    entries = [json.loads(line) for line in handler.lines]
    finished = next(e for e in entries if e["message"] == "run failed")
    assert finished["organization"] == "org_logs_co" and finished["run_id"] == run.pk and finished["flow_id"] == flow.pk
    assert finished["node_id"] == "stop" and finished["error_code"] == "stopped_by_flow" and finished["level"] == "info"
    assert "4111" not in "".join(handler.lines)


def test_ids_passed_with_extra_are_kept_and_win_over_the_context():
    from apps.core.logs import log_context

    handler = Capture()
    logger = logging.getLogger("ezflow.test_logs_extra")
    logger.addHandler(handler)
    try:
        with log_context(organization="org_context", run_id=1):
            logger.info("explicit", extra={"organization": "org_extra", "flow_id": 7, "run_id": 8, "node_id": "n1"})
            logger.info("from context")
    finally:
        logger.removeHandler(handler)
    explicit, contextual = (json.loads(line) for line in handler.lines)
    assert explicit["organization"] == "org_extra" and explicit["flow_id"] == 7
    assert explicit["run_id"] == 8 and explicit["node_id"] == "n1"
    assert contextual["organization"] == "org_context" and contextual["run_id"] == 1
