import hashlib
import hmac
import json

import pytest
from django.db import connection

from apps.core.errors import DomainError
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from tests.flows.graphs import webhook_graph
from tests.support.webhooks import call_webhook


@pytest.fixture
def organization(data):
    return data.create_organization(slug="hook-co")


def make_flow(organization, active=True, **trigger):
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="Orders", graph=webhook_graph(**trigger))
    flow_publish(flow=flow, user=None)
    if active:
        flow_set_active(flow=flow, active=True)
    connection.set_schema_to_public()
    return flow


def post(data, organization, flow, body=b'{"qty": 3, "price": 50}', **headers):
    return call_webhook(organization.host, f"/webhook/{flow.webhook_token}", body, **headers)


def test_immediate_mode_answers_202_and_the_run_executes(data, organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = make_flow(organization)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(data, organization, flow, HTTP_X_TRACE="abc")
    assert response.status_code == 202
    run_id = response.json()["run_id"]
    connection.set_tenant(organization)
    run = Run.objects.get(pk=run_id)
    assert run.status == "success" and run.trigger == "webhook"
    assert run.input_items[0]["body"] == {"qty": 3, "price": 50}
    assert run.input_items[0]["headers"]["X-Trace"] == "abc"
    assert "Cookie" not in run.input_items[0]["headers"]
    assert run.response == {"status": 201, "body": {"size": "large", "total": 150}, "headers": {}}


def test_inactive_unknown_and_wrong_method(data, organization):
    inactive = make_flow(organization, active=False)
    assert post(data, organization, inactive).status_code == 404
    assert call_webhook(organization.host, "/webhook/" + "x" * 32, b"{}").status_code == 404
    flow = make_flow(organization, methods=["PUT"])
    response = post(data, organization, flow)
    assert response.status_code == 405 and response["Allow"] == "PUT"
    other = data.create_organization(slug="hook-other")
    assert post(data, other, flow).status_code == 404  # the token means nothing on another organization's host


def test_secret_header_and_hmac_signature(data, organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = make_flow(organization, auth="header", auth_header="X-Token", secret="s3cret")
    assert post(data, organization, flow).status_code == 401
    assert post(data, organization, flow, HTTP_X_TOKEN="wrong").status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        assert post(data, organization, flow, HTTP_X_TOKEN="s3cret").status_code == 202

    signed = make_flow(organization, auth="hmac", secret="k3y")
    body = b'{"qty": 1, "price": 1}'
    signature = "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert post(data, organization, signed, body=body, HTTP_X_EZFLOW_SIGNATURE="sha256=" + "0" * 64).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        assert post(data, organization, signed, body=body, HTTP_X_EZFLOW_SIGNATURE=signature).status_code == 202


def test_bad_json_is_a_clear_400(data, organization):
    flow = make_flow(organization)
    response = post(data, organization, flow, body=b"{oops")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "bad_json"


def test_a_body_over_the_limit_is_a_clear_413(data, organization, settings):
    flow = make_flow(organization)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(data, organization, flow, body=b'{"x": "' + b"a" * 2000 + b'"}')
    assert response.status_code == 413 and json.loads(response.content)["error"]["code"] == "too_large"


# ---- the inline path for callers that wait (apps.runs.webhooks.receive + runs.run_execute_inline) ----------


def wait_call(body=b'{"qty": 3, "price": 50}'):
    from apps.runs.webhooks.receive import WebhookCall

    return WebhookCall(method="POST", headers={}, query={}, body=body, content_type="application/json")


def receive_inline(token, call=None):
    from apps.runs.webhooks.receive import PendingRun, webhook_execute, webhook_find, webhook_start

    pending = webhook_start(target=webhook_find(token=token), call=call or wait_call())
    assert isinstance(pending, PendingRun) and pending.run is None  # a pure flow: nothing written yet
    return webhook_execute(pending), pending.target.run_id


def test_a_pure_wait_mode_run_costs_two_statements_and_is_written_whole(data, organization):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from apps.runs.models import NodeRun

    flow = make_flow(organization, response_mode="wait")
    conn.set_tenant(organization)
    receive_inline(flow.webhook_token)  # parses and caches the published version
    with CaptureQueriesContext(conn) as queries:
        answer, run_id = receive_inline(flow.webhook_token)
    assert len(queries) == 2, [q["sql"][:80] for q in queries]  # the lookup (reserving the id), then one INSERT
    assert answer.status == 201 and answer.body == {"size": "large", "total": 150}
    run = Run.objects.get(pk=run_id)
    assert run.status == "success" and run.trigger == "webhook" and run.input_items[0]["body"] == {"qty": 3, "price": 50}
    assert run.started_at <= run.finished_at and run.response["status"] == 201
    nodes = list(NodeRun.objects.filter(run=run).values_list("node_id", "status"))
    assert nodes == [("hook", "success"), ("set", "success"), ("if", "success"), ("yes", "success")]
    assert list(NodeRun.objects.filter(run=run).values_list("seq", flat=True)) == sorted(
        NodeRun.objects.filter(run=run).values_list("seq", flat=True)
    )


def test_history_off_writes_no_run_for_a_success_but_keeps_a_failure(data, organization):
    from apps.flows.services.flows import flow_update

    flow = make_flow(organization, response_mode="wait")
    connection.set_tenant(organization)
    flow_update(flow=flow, save_history=False)
    answer, run_id = receive_inline(flow.webhook_token)
    assert answer.status == 201 and not Run.objects.filter(pk=run_id).exists()
    failed, failed_id = receive_inline(flow.webhook_token, wait_call(b'{"qty": "x", "price": null}'))
    assert failed.status == 500 and failed.body["run_id"] == failed_id
    run = Run.objects.get(pk=failed_id)
    assert run.status == "failed" and list(run.node_runs.values_list("node_id", flat=True)) == ["set"]
    # Monitoring still counts the success: in memory, written in one statement by tally_flush().
    from apps.runs.models import RunTally
    from apps.runs.selectors import run_stats
    from apps.runs.services.tally import tally_flush

    receive_inline(flow.webhook_token)
    assert tally_flush() == 2
    assert RunTally.objects.get(flow=flow).successes == 2
    stats = run_stats(flow_id=flow.pk, period="24h", time_zone="Asia/Seoul")
    assert (stats["total"], stats["success"], stats["failed"]) == (3, 2, 1)
    assert sum(bucket["success"] for bucket in stats["buckets"]) == 2
    assert stats["success_rate"] == round(2 / 3, 4)
    (row,) = run_stats(period="24h")["flows"]
    assert (row["flow_id"], row["total"], row["failed"], row["success_rate"]) == (flow.pk, 3, 1, round(2 / 3, 4))


def test_a_publish_or_deactivation_applies_to_the_next_lookup(data, organization):
    from apps.flows.services.flows import flow_set_active, flow_update
    from apps.runs.webhooks.receive import webhook_find

    flow = make_flow(organization, response_mode="wait")
    connection.set_tenant(organization)
    assert webhook_find(token=flow.webhook_token).params["response_mode"] == "wait"
    graph = webhook_graph(response_mode="immediately")
    flow_update(flow=flow, graph=graph)
    flow_publish(flow=flow, user=None)
    assert webhook_find(token=flow.webhook_token).params["response_mode"] == "immediately"
    flow_set_active(flow=flow, active=False)
    with pytest.raises(DomainError) as gone:
        webhook_find(token=flow.webhook_token)
    assert gone.value.status == 404


def test_flows_with_side_effects_or_waits_are_written_before_they_run(data, organization):
    from apps.runs.webhooks.receive import PendingRun, webhook_execute, webhook_find, webhook_start
    from tests.flows.graphs import edge, node

    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait"),
            node("pause", "flow.wait", "Pause", mode="duration", seconds=0),
            node("done", "flow.respond", "Done", status=200, body={"ok": True}),
        ],
        "edges": [edge("hook", "pause"), edge("pause", "done")],
    }
    flow = flow_create(user=None, name="Pausing", graph=graph)
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    pending = webhook_start(target=webhook_find(token=flow.webhook_token), call=wait_call())
    assert isinstance(pending, PendingRun) and pending.run is not None and Run.objects.filter(pk=pending.run.pk).exists()
    assert webhook_execute(pending).body == {"ok": True}
    assert Run.objects.get(pk=pending.run.pk).status == "success"


def test_an_inline_run_is_written_before_a_blocking_node(data, organization):
    from apps.flows.engine.graph import Graph
    from apps.runs.services.runs import run_execute_inline
    from tests.flows.graphs import edge, node

    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait"),
            node("set", "data.set", "Set", fields=[{"name": "a", "value": 1}]),
            node("pause", "flow.wait", "Pause", mode="duration", seconds=0),
        ],
        "edges": [edge("hook", "set"), edge("set", "pause")],
    }
    flow = flow_create(user=None, name="Late", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('runs_run', 'id'))")
        run_id = cursor.fetchone()[0]
    run = run_execute_inline(flow=flow, graph=Graph.from_dict(flow.published_version.graph), items=[{}], run_id=run_id)
    assert run.status == "success"
    stored = Run.objects.get(pk=run_id)
    assert stored.status == "success" and set(stored.node_runs.values_list("node_id", flat=True)) == {"hook", "set", "pause"}
    with connection.cursor() as cursor:  # the run's advisory lock was released
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [run_id])
        assert cursor.fetchone()[0] == 0


def test_a_flow_watched_by_alerts_keeps_its_successes_with_history_off(data, organization):
    from apps.flows.services.flows import flow_update
    from apps.notifications.services.rules import alert_rule_create

    flow = make_flow(organization, response_mode="wait")
    connection.set_tenant(organization)
    flow_update(flow=flow, save_history=False)
    alert_rule_create(flow=flow, user=None, kind="duration", duration_seconds=60, in_app=True, recipient_ids=[])
    answer, run_id = receive_inline(flow.webhook_token)
    assert answer.status == 201
    assert Run.objects.get(pk=run_id).status == "success"  # read from the flow's mark in the one lookup statement
