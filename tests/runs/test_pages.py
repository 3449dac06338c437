"""Run list, run page and monitoring pages, rendered by the server (live updates are covered in tests/e2e)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import failing_graph, greeting_graph


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="runpages")
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def owner_client(data, organization):
    return data.client_for(organization, data.owner_of(organization))


def published(graph, name):
    flow = flow_create(user=None, name=name, graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


@pytest.fixture
def runs(organization):
    good = published(greeting_graph(), "Greeter")
    bad = published(failing_graph(), "Divider")
    ok = run_execute(run_id=run_create(flow=good, trigger="manual", items=[{"name": "Minji", "vip": True}]).pk)
    failed = run_execute(run_id=run_create(flow=bad, trigger="manual", items=[{"divisor": 0}]).pk)
    return {"ok": ok, "failed": failed, "good": good, "bad": bad}


def test_run_list_shows_runs_and_filters_by_flow_status_and_id(owner_client, runs):
    page = owner_client.get("/runs/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-run-id="{runs["ok"].pk}"' in body and f'data-run-id="{runs["failed"].pk}"' in body

    only_failed = owner_client.get("/runs/", {"status": "failed"}).content.decode()
    assert f'data-run-id="{runs["failed"].pk}"' in only_failed and f'data-run-id="{runs["ok"].pk}"' not in only_failed

    by_flow = owner_client.get("/runs/", {"flow": runs["good"].pk}).content.decode()
    assert f'data-run-id="{runs["ok"].pk}"' in by_flow and f'data-run-id="{runs["failed"].pk}"' not in by_flow

    by_id = owner_client.get("/runs/", {"q": f"#{runs['failed'].pk}"}).content.decode()
    assert f'data-run-id="{runs["failed"].pk}"' in by_id and f'data-run-id="{runs["ok"].pk}"' not in by_id

    rows = owner_client.get("/runs/", {"fragment": "rows", "trigger": "manual"})
    assert rows.status_code == 200 and b"<html" not in rows.content and b"data-run-id" in rows.content


def test_run_list_date_filter_uses_the_organization_day(owner_client, runs):
    Run.objects.filter(pk=runs["ok"].pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    body = owner_client.get("/runs/", {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    assert f'data-run-id="{runs["failed"].pk}"' in body and f'data-run-id="{runs["ok"].pk}"' not in body


def test_run_list_bad_filters_get_clear_messages_not_everything(owner_client, runs):
    response = owner_client.get("/runs/", {"q": "abc", "status": "exploded", "date_from": "2026-02-10", "date_to": "2026-02-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A run ID is a number" in body
    assert "The end date is before the start date." in body
    assert "data-run-id" not in body


def test_run_list_in_korean(data, organization, runs):
    client = data.client_for(organization, data.owner_of(organization))
    body = client.get("/runs/", {"q": "x"}, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "실행" in body and "A run ID is a number" not in body


def test_run_page_shows_graph_nodes_items_and_errors(owner_client, runs):
    failed = runs["failed"]
    body = owner_client.get(f"/runs/{failed.pk}/").content.decode()
    assert 'data-node-id="ok"' in body and 'class="node node-success"' in body and 'class="node node-failed"' in body
    assert "division" in body.lower()  # the error message is shown
    assert 'data-testid="retry-run"' in body and 'data-testid="rerun"' in body
    ok_body = owner_client.get(f"/runs/{runs['ok'].pk}/").content.decode()
    assert "Hello Minji" in ok_body  # an output item, in the table and in the JSON view
    assert "&quot;greeting&quot;: &quot;Hello Minji&quot;" in ok_body
    fragment = owner_client.get(f"/runs/{runs['ok'].pk}/", {"fragment": "detail"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"data-node-id" in fragment.content


def test_run_page_actions_retry_and_rerun_and_cancel(owner_client, runs, organization, eager_tasks, django_capture_on_commit_callbacks):
    failed = runs["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/runs/{failed.pk}/retry/")
    retry = Run.objects.exclude(pk__in=[runs["ok"].pk, failed.pk]).get()
    assert response.status_code == 302 and response["Location"] == f"/runs/{retry.pk}/"
    assert retry.retry_of_id == failed.pk and retry.status == "failed"  # eager Celery ran it; still dividing by zero

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/runs/{runs['ok'].pk}/rerun/")
    rerun = Run.objects.order_by("-pk").first()
    assert rerun.retry_of_id is None and rerun.input_items == runs["ok"].input_items and rerun.status == "success"

    queued = run_create(flow=runs["good"], trigger="manual")
    owner_client.post(f"/runs/{queued.pk}/cancel/")
    queued.refresh_from_db()
    assert queued.status == "cancelled" or queued.cancel_requested

    finished = owner_client.post(f"/runs/{runs['ok'].pk}/cancel/", follow=True)
    assert "cancel" in finished.content.decode().lower()  # a clear message, not an error page
    assert owner_client.post(f"/runs/{runs['ok'].pk}/explode/").status_code == 404


def test_viewers_see_runs_but_cannot_start_or_cancel(data, organization, runs):
    viewer = data.create_member(organization, role=Role.VIEWER).user
    client = data.client_for(organization, viewer)
    body = client.get(f"/runs/{runs['failed'].pk}/").content.decode()
    assert 'data-testid="retry-run"' not in body
    before = Run.objects.count()
    response = client.post(f"/runs/{runs['failed'].pk}/retry/", follow=True)
    assert Run.objects.count() == before
    assert "Viewers can look at runs" in response.content.decode()


def test_runs_of_another_organization_are_not_found(data, organization, runs):
    other = data.create_organization(slug="runpages-other")
    client = data.client_for(other, data.owner_of(other))
    connection.set_tenant(other)
    assert client.get(f"/runs/{runs['ok'].pk}/").status_code == 404
    assert client.post(f"/runs/{runs['ok'].pk}/rerun/").status_code == 404
    assert f'data-run-id="{runs["ok"].pk}"'.encode() not in client.get("/runs/").content


def test_pages_need_sign_in(data, organization):
    client = data.client_for(organization)
    for path in ("/runs/", "/runs/1/", "/monitoring/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_monitoring_page_and_api(owner_client, runs):
    body = owner_client.get("/monitoring/").content.decode()
    assert 'data-testid="stat-total">2<' in body and "50%" in body
    assert "Divider" in body and "division" in body.lower()  # per-flow table and top errors
    assert "chart.umd.min.js" in body
    flow_page = owner_client.get("/monitoring/", {"flow": runs["good"].pk, "period": "7d"}).content.decode()
    assert 'data-testid="stat-total">1<' in flow_page and "100%" in flow_page

    stats = owner_client.get("/api/v1/runs/stats", {"period": "30d"}).json()
    assert stats["total"] == 2 and stats["failed"] == 1 and len(stats["buckets"]) in (30, 31)
    assert owner_client.get("/api/v1/runs/stats", {"period": "1y"}).status_code == 400
    assert owner_client.get("/api/v1/runs/stats", {"flow": "999999"}).status_code == 404
    unknown = owner_client.get("/monitoring/", {"flow": "999999"}, follow=True).content.decode()
    assert "That flow does not exist" in unknown


def test_run_list_api_rejects_bad_filters(data, organization, runs):
    api = data.editor_api(organization)
    response = api.get("/api/v1/runs", {"status": "exploded"})
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]
    assert [r["id"] for r in api.get("/api/v1/runs", {"status": "failed"}).json()["results"]] == [runs["failed"].pk]


def test_run_page_and_monitoring_name_steps_and_types_as_people_know_them_and_summarise_http_errors(data):
    """`http_iz0vk8` / `net.http` are internals: pages say “Call the API” (HTTP request); a server's HTML error page
    is one readable line, with the full answer folded away."""
    from django.db import connection

    from apps.flows.services.flows import flow_create, flow_publish
    from apps.runs.models import NodeRun, Run
    from tests.flows.graphs import edge, node

    organization = data.create_organization(slug="words-co")
    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("http_iz0vk8", "net.http", "Call the API", url="https://api.example.com/"),
        ],
        "edges": [edge("start", "http_iz0vk8")],
    }
    flow = flow_create(user=None, name="Words", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    run = Run.objects.create(
        flow=flow,
        version=flow.published_version,
        graph=graph,
        trigger="manual",
        status="failed",
        error="The server answered 502 Bad Gateway.",
        error_node_id="http_iz0vk8",
        error_args={"template": "The server answered %(status)s %(reason)s.", "values": {"status": "502", "reason": "Bad Gateway"}},
    )
    page = "<html><head><title>502 Bad Gateway</title><style>body{}</style></head><body><h1>nginx</h1></body></html>"
    NodeRun.objects.create(
        run=run,
        node_id="http_iz0vk8",
        node_type="net.http",
        status="failed",
        error=run.error,
        error_code="http_error",
        error_detail=page,
        error_args=run.error_args,
    )
    connection.set_schema_to_public()
    client = data.client_for(organization, data.owner_of(organization))
    html = client.get(f"/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "At step “Call the API”:" in html and 'data-testid="step-type">HTTP request<' in html
    assert 'data-testid="error-summary">The server said: 502 Bad Gateway<' in html
    assert 'data-testid="raw-answer"' in html and "net.http<" not in html
    monitoring = client.get("/monitoring/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "(Call the API · HTTP 요청)" in monitoring and "(http_iz0vk8)" not in monitoring
    assert "서버가 502" in monitoring or "502 Bad Gateway" in monitoring


def test_answer_summary_finds_the_message_in_json_html_and_text():
    from apps.flows.http.answer_summary import answer_summary

    assert answer_summary('{"error": {"code": 401, "message": "Invalid API key"}}') == "Invalid API key"
    assert answer_summary('{"errors": [{"detail": "Row 3 is not valid"}]}') == "Row 3 is not valid"
    assert answer_summary('{"ok": false, "error": "channel_not_found"}') == "channel_not_found"
    assert answer_summary("<html><body><h1>Forbidden</h1><script>x()</script><p>You may not.</p></body></html>") == "Forbidden You may not."
    assert len(answer_summary("x" * 5000)) == 200 and answer_summary("") == ""


def test_a_retry_links_back_to_its_run_and_every_run_page_to_its_flow_and_the_editor(
    owner_client, runs, eager_tasks, django_capture_on_commit_callbacks
):
    import re

    failed = runs["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/runs/{failed.pk}/retry/")
    retry = Run.objects.get(retry_of=failed)
    page = owner_client.get(f"/runs/{retry.pk}/").content.decode()
    assert f'href="/runs/{failed.pk}/"' in page
    flow_link = re.search(r'<a href="([^"]+)" data-testid="run-flow-link">([^<]+)</a>', page)
    assert flow_link and flow_link.groups() == (f"/flows/{runs['bad'].pk}/", "Divider")
    # "Open in the editor" opens this very run there (the debug view), not just the draft.
    assert f'href="/flows/{runs["bad"].pk}/edit/?run={retry.pk}" data-testid="run-editor-link"' in page
    # The steps before the failed one are shown as reused from the earlier run, not as "not run".
    assert "Reused from the earlier run" in page
    by_node = {node_id: status for status, node_id in re.findall(r'<g class="node node-(\w+)" data-node-id="([^"]+)"', page)}
    reused = [node_id for node_id, status in by_node.items() if status == "reused"]
    assert reused and "pending" not in by_node.values(), by_node
