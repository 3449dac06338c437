import pytest
from django.db import connection

from apps.accounts.models import Organization
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import NodeRun, Run
from apps.runs.services.runs import run_cancel, run_create, run_execute, run_retry
from tests.flows.graphs import edge, failing_graph, node


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="runs-co")
    connection.set_tenant(organization)
    return organization


def published(graph, name="Flow"):
    flow = flow_create(user=None, name=name, graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def test_failed_run_records_the_node_and_retry_reuses_what_succeeded(organization, monkeypatch):
    flow = published(failing_graph())
    run = run_create(flow=flow, trigger="manual", items=[{"divisor": 0}])
    run = run_execute(run_id=run.pk)
    assert run.status == "failed" and run.error_node_id == "bad" and "division" in run.error.lower()
    statuses = dict(NodeRun.objects.filter(run=run).values_list("node_id", "status"))
    assert statuses == {"start": "success", "ok": "success", "bad": "failed"}

    from apps.flows.nodes.builtin import data as data_nodes

    calls = []
    original = data_nodes.SetFields.execute

    def counting(self, ctx):
        calls.append(ctx.node.id)
        return original(self, ctx)

    monkeypatch.setattr(data_nodes.SetFields, "execute", counting)
    retry = run_execute(run_id=run_retry(run=run).pk)
    assert retry.status == "failed"  # same input, same division by zero
    assert calls == ["bad"]  # "ok" was reused, not executed again


def test_redelivered_run_does_not_execute_completed_nodes_twice(organization, monkeypatch):
    graph = {
        "nodes": [
            node("start", "trigger.manual"),
            node("a", "data.set", fields=[{"name": "x", "value": 1}]),
            node("b", "data.set", fields=[{"name": "y", "value": 2}]),
        ],
        "edges": [edge("start", "a"), edge("a", "b")],
    }
    flow = published(graph)
    run = run_create(flow=flow, trigger="manual")
    # A worker executed start and a, then died: its NodeRuns are committed, the run is still "running".
    run_execute(run_id=run.pk)
    NodeRun.objects.filter(run=run, node_id="b").delete()
    Run.objects.filter(pk=run.pk).update(status="running", finished_at=None)
    from apps.flows.nodes.builtin import data as data_nodes

    executed = []
    original = data_nodes.SetFields.execute
    monkeypatch.setattr(data_nodes.SetFields, "execute", lambda self, ctx: executed.append(ctx.node.id) or original(self, ctx))
    finished = run_execute(run_id=run.pk)
    assert finished.status == "success"
    assert executed == ["b"]
    assert NodeRun.objects.filter(run=run).count() == 3
    assert run_execute(run_id=run.pk).status == "success" and executed == ["b"]  # a finished run is not run again


def test_cancel_a_queued_run_and_a_running_run(organization):
    flow = published({"nodes": [node("start", "trigger.manual"), node("n", "flow.noop")], "edges": [edge("start", "n")]})
    queued = run_cancel(run=run_create(flow=flow, trigger="manual"))
    assert queued.status == "cancelled"
    assert run_execute(run_id=queued.pk).status == "cancelled"
    running = run_create(flow=flow, trigger="manual")
    Run.objects.filter(pk=running.pk).update(status="running")
    running.refresh_from_db()
    assert run_cancel(run=running).cancel_requested is True
    assert run_execute(run_id=running.pk).status == "cancelled"
    from apps.core.errors import DomainError

    with pytest.raises(DomainError):
        run_cancel(run=Run.objects.get(pk=running.pk))


def test_waiting_run_is_parked_and_resumes(organization):
    from datetime import timedelta

    from django.utils import timezone

    graph = {
        "nodes": [node("start", "trigger.manual"), node("w", "flow.wait", seconds=600), node("after", "flow.noop")],
        "edges": [edge("start", "w"), edge("w", "after")],
    }
    run = run_create(flow=published(graph), trigger="manual", items=[{"k": 1}])
    parked = run_execute(run_id=run.pk)
    assert parked.status == "waiting" and parked.resume_at > timezone.now() + timedelta(minutes=9)
    assert run_execute(run_id=run.pk).status == "waiting"  # not due yet
    Run.objects.filter(pk=run.pk).update(resume_at=timezone.now() - timedelta(seconds=1))
    resumed = run_execute(run_id=run.pk)
    assert resumed.status == "success"
    assert NodeRun.objects.get(run=run, node_id="after").items_out == 1


def test_history_off_keeps_failures_only(organization):
    flow = published(failing_graph())
    flow.save_history = False
    flow.save(update_fields=["save_history"])
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"divisor": 0}]).pk)
    assert run.status == "failed"
    assert list(NodeRun.objects.filter(run=run).values_list("node_id", flat=True)) == ["bad"]


def test_a_crash_after_a_side_effect_never_repeats_it(organization, monkeypatch):
    from tests.support.fake_http import FakeServer

    with FakeServer() as server:
        server.routes["/charge"] = lambda r: (200, {}, {"charged": True})
        organization.allowed_internal_hosts = ["127.0.0.1"]
        organization.save(update_fields=["allowed_internal_hosts"])
        connection.set_tenant(organization)
        graph = {
            "nodes": [
                node("start", "trigger.manual"),
                node("pure", "data.set", fields=[{"name": "a", "value": 1}]),
                node("charge", "net.http", method="POST", url=server.url("/charge")),
                node("after", "data.set", fields=[{"name": "b", "value": 2}]),
            ],
            "edges": [edge("start", "pure"), edge("pure", "charge"), edge("charge", "after")],
        }
        run = run_create(flow=published(graph), trigger="manual")
        from apps.flows.nodes.builtin import data as data_nodes

        original = data_nodes.SetFields.execute

        def die_on_after(self, ctx):
            if ctx.node.id == "after":
                raise KeyboardInterrupt("worker killed")  # not an Exception: nothing in the engine catches it
            return original(self, ctx)

        monkeypatch.setattr(data_nodes.SetFields, "execute", die_on_after)
        with pytest.raises(KeyboardInterrupt):
            run_execute(run_id=run.pk)
        assert {"start", "pure", "charge"} == set(NodeRun.objects.filter(run=run).values_list("node_id", flat=True))
        monkeypatch.setattr(data_nodes.SetFields, "execute", original)
        finished = run_execute(run_id=run.pk)
        assert finished.status == "success"
        assert len(server.requests) == 1  # the charge happened once


def test_a_failed_run_says_its_error_in_the_readers_language(organization, data):
    flow = published(failing_graph())
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"divisor": 0}]).pk)
    # Stored in English (logs, programs) with the template and values beside it.
    assert run.error.startswith("Division by zero") and "ZeroDivisionError" not in run.error
    assert run.error_args["template"] == run.error
    api = data.api_client(organization, data.create_token(organization, data.owner_of(organization)))
    english = api.get(f"/api/v1/runs/{run.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    korean = api.get(f"/api/v1/runs/{run.pk}", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert english["error"] == run.error
    assert korean["error"] != run.error and korean["error_code"] == english["error_code"]
    assert "0으로 나누고" in korean["error"] and "Division" not in korean["error"]
    failed_node = next(n for n in korean["node_runs"] if n["status"] == "failed")
    assert failed_node["error"] == korean["error"]


def test_a_sub_flow_of_the_organization_runs_its_published_version_and_says_why_it_cannot(organization):
    from django.utils import translation

    child = published(
        {
            "nodes": [
                node("in", "trigger.manual", "In"),
                node("double", "data.set", "Double", fields=[{"name": "y", "value": "{{ json.x * 2 }}"}]),
            ],
            "edges": [edge("in", "double")],
        },
        name="Doubler",
    )

    def parent_calling(flow_ref):
        graph = {
            "nodes": [node("start", "trigger.manual", "Start"), node("call", "flow.call", "Call", flow=str(flow_ref))],
            "edges": [edge("start", "call")],
        }
        return run_execute(run_id=run_create(flow=published(graph, name=f"Parent {flow_ref}"), trigger="manual", items=[{"x": 21}]).pk)

    ok = parent_calling(child.pk)
    assert ok.status == "success", ok.error
    assert NodeRun.objects.get(run=ok, node_id="call").output_sample["main"]["items"] == [{"x": 21, "y": 42}]
    unpublished = flow_create(user=None, name="Draft only", graph=failing_graph())
    missing = parent_calling(unpublished.pk)
    assert missing.status == "failed" and missing.error_code == "flow_missing"
    with translation.override("ko"):
        assert "게시된 버전" in missing.error_text
    failing = published(failing_graph(), name="Divider")
    broken = run_execute(
        run_id=run_create(
            flow=published(
                {
                    "nodes": [node("start", "trigger.manual", "Start"), node("call", "flow.call", "Call", flow=str(failing.pk))],
                    "edges": [edge("start", "call")],
                },
                name="Calls the divider",
            ),
            trigger="manual",
            items=[{"divisor": 0}],
        ).pk
    )
    assert broken.status == "failed" and broken.error_code == "subflow_failed" and "Divider" in broken.error


def test_a_stored_allow_list_entry_the_platform_refuses_opens_nothing(organization, settings):
    """Issue 12: 127.0.0.0/8 saved before the platform policy existed: the run's HTTP step is still refused."""
    from tests.support.fake_http import FakeServer

    settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = False
    with FakeServer() as server:
        server.routes["/admin"] = lambda r: (200, {}, {"inside": True})
        Organization.objects.filter(pk=organization.pk).update(allowed_internal_hosts=["127.0.0.0/8", "0.0.0.0/0"])
        organization.refresh_from_db()
        connection.set_tenant(organization)
        graph = {
            "nodes": [node("start", "trigger.manual"), node("fetch", "net.http", url=server.url("/admin"))],
            "edges": [edge("start", "fetch")],
        }
        run = run_execute(run_id=run_create(flow=published(graph), trigger="manual").pk)
        assert run.status == "failed" and run.error_node_id == "fetch" and "may never call" in run.error
        assert server.requests == []


def test_run_now_on_a_webhook_flow_uses_the_test_data_of_its_webhook_step(organization):
    """“지금 실행” starts without input: a webhook flow gets its pinned sample request (shipped with a template or
    captured by “Listen for a test request”), else an empty request, never `{}` its steps cannot read `body` from."""
    from apps.flows.services.flows import flow_pin_data
    from tests.flows.graphs import webhook_graph

    flow = published(webhook_graph(), name="Orders")
    empty = run_create(flow=flow, trigger="manual")
    assert empty.input_items == [{"method": "POST", "headers": {}, "query": {}, "body": {}}]

    sample = [{"method": "POST", "headers": {"Content-Type": "application/json"}, "query": {}, "body": {"qty": 3, "price": 50}}]
    flow = flow_pin_data(flow=flow, node_id="hook", items=sample)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert run.input_items == sample and run.status == "success", run.error
    assert run.response["body"] == {"size": "large", "total": 150}

    manual = published(failing_graph(), name="Manual")
    assert run_create(flow=manual, trigger="manual").input_items == [{}]
