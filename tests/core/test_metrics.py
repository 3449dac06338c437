from django.db import connection
from django.test import Client

from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import edge, node


def test_metrics_are_off_without_a_token_and_need_the_right_one(db, settings):
    settings.EZFLOW_METRICS_TOKEN = ""
    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 404
    settings.EZFLOW_METRICS_TOKEN = "s3cret-token"
    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 401
    assert Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401


def test_runs_nodes_requests_and_queue_depth_are_counted(data, settings):
    settings.EZFLOW_METRICS_TOKEN = "s3cret-token"
    organization = data.create_organization(slug="metrics-co")
    connection.set_tenant(organization)
    flow = flow_create(
        user=None, name="M", graph={"nodes": [node("start", "trigger.manual"), node("n", "flow.noop")], "edges": [edge("start", "n")]}
    )
    flow_publish(flow=flow, user=None)
    run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    connection.set_schema_to_public()
    Client(HTTP_HOST="localhost").get("/")
    text = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer s3cret-token").get("/metrics").content.decode()
    assert 'ezflow_runs_started_total{trigger="manual"}' in text
    assert 'ezflow_runs_finished_total{status="success"}' in text
    assert 'ezflow_node_duration_seconds_count{node_type="flow.noop"}' in text
    assert 'ezflow_http_request_duration_seconds_count{method="GET",status="2xx"}' in text
    assert "ezflow_queue_depth" in text and "ezflow_websocket_connections" in text


def test_queue_depth_counts_the_waiting_tasks_and_says_minus_one_when_the_broker_is_unreadable(db, settings, tmp_path):
    from ezflow_site.broker import transport_options

    settings.EZFLOW_METRICS_TOKEN = "s3cret-token"
    settings.REDIS_URL = ""  # the embedded broker's folder
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = transport_options(tmp_path)
    for name in ("1_a.default.msg", "2_b.default.msg", "3_c.default.msg.part"):  # the last one is still being written
        (tmp_path / "queue" / name).write_text("{}")

    def depth() -> str:
        text = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer s3cret-token").get("/metrics").content.decode()
        return next(line for line in text.splitlines() if line.startswith("ezflow_queue_depth "))

    assert depth() == "ezflow_queue_depth 2.0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    assert depth() == "ezflow_queue_depth -1.0"
