"""The server-rendered flow pages and the PWA files, through the Django test client on organization hosts."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.flows.forms import IMPORT_MAX_BYTES
from apps.flows.models import Flow
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from apps.runs.services.runs import run_create
from tests.flows.graphs import greeting_graph, node, webhook_graph

N8N = (Path(__file__).parent / "fixtures" / "n8n_orders.json").read_bytes()


@pytest.fixture
def org(data):
    return data.create_organization(slug=data.unique("pages-co"))


@pytest.fixture
def editor(data, org):
    return data.create_member(org, role=Role.EDITOR).user


@pytest.fixture
def client(data, org, editor):
    client = data.client_for(org, editor)
    connection.set_tenant(org)  # the test's own reads and writes go to the organization's schema, like its requests
    return client


@pytest.fixture
def viewer_client(data, org):
    client = data.client_for(org, data.create_member(org, role=Role.VIEWER).user)
    connection.set_tenant(org)
    return client


def published_flow(user, name="Greeter", graph=None, tags=None, active=False):
    flow = flow_create(user=user, name=name, graph=graph or greeting_graph(), tags=tags or [])
    flow_publish(flow=flow, user=user, message="first version")
    if active:
        flow = flow_set_active(flow=flow, active=True)
    return flow


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- list -----------------------------------------------------------------------------------------


def test_list_shows_state_version_tags_and_last_run_without_n_plus_1(client, editor):
    orders = published_flow(editor, "Orders to Slack", tags=["sales", "slack"], active=True)
    flow_create(user=editor, name="Draft only flow", tags=["hr"])
    run = run_create(flow=orders, trigger="manual", user=editor)
    Run.objects.filter(pk=run.pk).update(status="failed")
    page = client.get("/flows/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Orders to Slack" in html and "Draft only flow" in html
    assert "#sales" in html and "#hr" in html
    assert "Version 1" in html and "Draft only" in html
    assert f'href="/runs/{run.pk}/"' in html and "run-status-failed" in html and "Not run yet" in html
    assert 'data-testid="new-flow"' in html and 'data-testid="import-link"' in html

    for index in range(6):
        extra = flow_create(user=editor, name=f"Extra {index}")
        run_create(flow=extra, trigger="test", user=editor, draft=True)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/flows/").status_code == 200
    with CaptureQueriesContext(connection) as fewer:
        client.get("/flows/?q=Orders")
    assert len(more) == len(fewer), "each extra flow must not cost queries"


def test_search_tag_filter_and_pagination(client, editor):
    for index in range(23):
        flow_create(user=editor, name=f"Invoice {index:02d}", tags=["finance"] if index % 2 else ["ops"])
    flow_create(user=editor, name="Welcome mail", tags=["hr"])
    found = client.get("/flows/?q=welcome").content.decode()
    assert "Welcome mail" in found and "Invoice" not in found
    tagged = client.get("/flows/?tag=finance")
    assert tagged.context["page"].paginator.count == 11
    assert all("finance" in row["flow"].tags for row in tagged.context["flows"])
    first = client.get("/flows/")
    assert first.context["page"].paginator.num_pages == 2 and len(first.context["flows"]) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/flows/?page=2")
    assert len(second.context["flows"]) == 4
    assert client.get("/flows/?page=999").context["page"].number == 2
    filtered = client.get("/flows/?q=Invoice").content.decode()
    assert "?q=Invoice&amp;page=2" in filtered
    assert "No flow matches your search." in client.get("/flows/?q=nothing-like-this").content.decode()
    assert client.get("/flows/").context["tags"] == ["finance", "hr", "ops"]


def test_new_flow_creates_an_empty_draft_and_opens_the_editor(client, editor):
    response = client.post("/flows/new/", {"name": "  Payroll reminder "})
    flow = Flow.objects.get(name="Payroll reminder")
    assert response.status_code == 302 and response["Location"] == f"/flows/{flow.pk}/edit/"
    assert flow.draft["nodes"] == [] and flow.published_version is None and flow.created_by_id == editor.pk
    unnamed = client.post("/flows/new/", {"name": ""})
    assert unnamed.status_code == 302 and Flow.objects.filter(name="Untitled flow").exists()


# ---- import / export ----------------------------------------------------------------------------


def test_import_our_json_file(client, editor):
    source = published_flow(editor, "Original", tags=["ops"])
    exported = client.get(f"/flows/{source.pk}/export/")
    assert exported.status_code == 200 and "attachment" in exported["Content-Disposition"]
    upload = SimpleUploadedFile("orders.json", exported.content, content_type="application/json")
    response = client.post("/flows/import/", {"file": upload})
    copy = Flow.objects.exclude(pk=source.pk).get(name="Original")
    assert response.status_code == 302 and response["Location"] == f"/flows/{copy.pk}/"
    assert copy.tags == ["ops"] and copy.published_version is None
    assert len(copy.draft["nodes"]) == len(source.draft["nodes"])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "“Original” was imported as a draft." in html and "Imported from EZFlow" in html and "Every node was imported." in html
    assert 'data-testid="import-report"' not in client.get(response["Location"]).content.decode()  # shown once


def test_import_n8n_lists_unsupported_nodes(client):
    response = client.post("/flows/import/", {"file": SimpleUploadedFile("n8n.json", N8N, content_type="application/json")}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Imported from n8n" in html
    unsupported = html.split('data-testid="unsupported-nodes"')[1].split("</ul>")[0]
    assert "JS code" not in unsupported and "Postgres" in unsupported
    steps = html.split('data-testid="import-steps"')[1].split("</ul>")[0]
    assert "<strong>JS code</strong>: Imported as “Code (JavaScript)”." in steps
    assert "<strong>Postgres</strong>: Not available yet — kept as a placeholder (n8n-nodes-base.postgres)." in steps
    assert "<strong>Lookup CRM</strong>: Imported as “HTTP request”." in steps
    assert Flow.objects.filter(name="Order intake").exists()


def test_import_pasted_json(client):
    response = client.post("/flows/import/", {"text": N8N.decode()})
    assert response.status_code == 302 and Flow.objects.filter(name="Order intake").exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"file": SimpleUploadedFile("photo.json", b"\x89PNG\r\n\x1a\n not json")}, "This is not a JSON file."),
        ({"text": "{broken"}, "This is not a JSON file."),
        ({"text": '{"hello": "world"}'}, "This is neither an EZFlow export nor an n8n workflow."),
        ({"text": "[1, 2]"}, "Send the exported flow as a JSON object."),
        ({}, "Choose a JSON file or paste the JSON."),
        ({"file": SimpleUploadedFile("big.json", b" " * (IMPORT_MAX_BYTES + 1))}, "The file is too large (2.0 MB). Files up to 2.0 MB"),
    ],
)
def test_bad_imports_are_explained_and_create_nothing(client, payload, message):
    response = client.post("/flows/import/", payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Flow.objects.exists()


def test_bad_import_message_in_korean(client):
    response = client.post("/flows/import/", {"text": "{broken"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400 and "JSON 파일이 아닙니다" in response.content.decode()


# ---- overview and actions -----------------------------------------------------------------------


def test_overview_shows_triggers_versions_and_runs(client, editor, org):
    graph = webhook_graph(methods=["POST", "PUT"])
    graph["nodes"].append(node("every", "trigger.schedule", "Weekdays", preset="custom", cron="30 8 * * 1-5", time_zone="Asia/Seoul"))
    flow = flow_create(user=editor, name="Orders", description="Takes orders from the shop.", graph=graph)
    flow_publish(flow=flow, user=editor, message="first version")
    flow_publish(flow=flow, user=editor, message="second: faster")
    flow_set_active(flow=flow, active=True)
    run = run_create(flow=flow, trigger="manual", user=editor)
    page = client.get(f"/flows/{flow.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Takes orders from the shop." in html
    assert f'value="http://{org.host}:8000/webhook/{flow.webhook_token}"' in html and "POST, PUT" in html
    assert "At 08:30, Monday through Friday (30 8 * * 1-5)" in html and "Asia/Seoul" in html
    assert page.context["triggers"][1].next_run is not None
    assert "second: faster" in html and "first version" in html and "Version 2" in html
    assert f'href="/runs/{run.pk}/"' in html
    assert f'href="/flows/{flow.pk}/alerts/"' in html and f'href="/flows/{flow.pk}/edit/"' in html
    assert 'data-testid="deactivate"' in html and 'data-testid="run-now"' in html


def test_overview_in_korean_describes_schedules_in_korean(client, editor):
    graph = {"nodes": [node("every", "trigger.schedule", "Every weekday", preset="custom", cron="0 9 * * 1-5")], "edges": []}
    preset = {"nodes": [node("daily", "trigger.schedule", "Daily", preset="daily_9")], "edges": []}
    custom = flow_create(user=editor, name="Custom", graph=graph)
    daily = flow_create(user=editor, name="Daily", graph=preset)
    html = client.get(f"/flows/{custom.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "월요일~금요일" in html and "Monday" not in html and "일정" in html
    assert "매일 9:00" in client.get(f"/flows/{daily.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()


def test_run_now_queues_a_manual_run(client, editor, eager_tasks, django_capture_on_commit_callbacks):
    flow = published_flow(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/flows/{flow.pk}/run/", follow=True)
    run = Run.objects.get(flow=flow)
    assert run.trigger == "manual" and run.created_by_id == editor.pk and run.status == "success"
    assert run.number == 1 and "Run #1 started." in " ".join(messages_of(response))  # the flow's own run number
    assert f'data-run-id="{run.pk}"' in response.content.decode()


def test_run_now_of_an_unpublished_flow_explains_why(client, editor):
    flow = flow_create(user=editor, name="Draft", graph=greeting_graph())
    response = client.post(f"/flows/{flow.pk}/run/", follow=True)
    assert "Publish the flow before running it" in " ".join(messages_of(response))
    assert not Run.objects.exists()


def test_activate_and_deactivate(client, editor):
    flow = published_flow(editor, "Switch me")
    on = client.post(f"/flows/{flow.pk}/activate/", follow=True)
    flow.refresh_from_db()
    assert flow.active and "“Switch me” is on." in " ".join(messages_of(on))
    assert 'data-testid="deactivate"' in on.content.decode()
    off = client.post(f"/flows/{flow.pk}/deactivate/", follow=True)
    flow.refresh_from_db()
    assert not flow.active and "“Switch me” is off." in " ".join(messages_of(off))


def test_activating_an_unpublished_flow_is_refused_in_korean(client, editor):
    flow = flow_create(user=editor, name="Draft", graph=greeting_graph())
    response = client.post(f"/flows/{flow.pk}/activate/", follow=True, HTTP_ACCEPT_LANGUAGE="ko")
    flow.refresh_from_db()
    assert not flow.active
    assert "플로우를 켜기 전에 먼저 게시하세요." in " ".join(messages_of(response))


def test_actions_need_post(client, editor):
    flow = published_flow(editor)
    assert client.get(f"/flows/{flow.pk}/run/").status_code == 405
    assert client.get(f"/flows/{flow.pk}/activate/").status_code == 405
    assert not Run.objects.exists()


# ---- who may do what ----------------------------------------------------------------------------


def test_viewer_reads_everything_but_every_write_is_refused(viewer_client, editor):
    flow = published_flow(editor, "Read me")
    listing = viewer_client.get("/flows/").content.decode()
    assert "Read me" in listing and 'data-testid="new-flow"' not in listing and 'data-testid="import-link"' not in listing
    overview = viewer_client.get(f"/flows/{flow.pk}/").content.decode()
    assert 'data-testid="run-now"' not in overview and 'data-testid="activate"' not in overview
    assert viewer_client.get(f"/flows/{flow.pk}/export/").status_code == 200
    refusal = "Viewers can look at flows but cannot change or run them."
    for path, data in (
        ("/flows/new/", {"name": "Sneaky"}),
        ("/flows/import/", {"text": N8N.decode()}),
        (f"/flows/{flow.pk}/run/", {}),
        (f"/flows/{flow.pk}/activate/", {}),
    ):
        response = viewer_client.post(path, data, follow=True)
        assert refusal in " ".join(messages_of(response)), path
    flow.refresh_from_db()
    assert not flow.active and Flow.objects.count() == 1 and not Run.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(data, org):
    anonymous = data.client_for(org)
    assert anonymous.get("/flows/")["Location"] == "/login/?next=/flows/"
    assert anonymous.post("/flows/new/", {"name": "x"})["Location"].startswith("/login/")
    assert not Flow.objects.exists()


def test_another_organizations_flow_is_not_found(data, org, client, editor):
    other = data.create_organization(slug=data.unique("other-co"))
    connection.set_tenant(other)
    owner = data.owner_of(other)
    theirs = [flow_create(user=owner, name=f"Theirs {i}") for i in range(3)][-1]
    connection.set_schema_to_public()
    connection.set_tenant(org)
    assert not Flow.objects.filter(pk=theirs.pk).exists()
    connection.set_schema_to_public()
    for path in (f"/flows/{theirs.pk}/", f"/flows/{theirs.pk}/export/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/flows/{theirs.pk}/run/").status_code == 404
    assert client.post(f"/flows/{theirs.pk}/activate/").status_code == 404


# ---- PWA ----------------------------------------------------------------------------------------


def test_manifest_is_linked_and_installable(client, data, org):
    html = client.get("/flows/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html and 'name="theme-color"' in html
    assert 'data-testid="offline-banner"' in html and "/static/pwa/pwa.js" in html
    response = data.client_for(org).get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/flows/") and manifest["scope"] == "/"
    assert manifest["name"] == "이지플로우 — 업무 자동화" and manifest["short_name"] == "이지플로우"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["purpose"] == "any"}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert json.loads(data.client_for(org).get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)["short_name"] == "EZFlow"


def test_service_worker_is_served_from_the_root_without_caching(data, org):
    response = data.client_for(org).get("/sw.js")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] and response["Service-Worker-Allowed"] == "/"
    config = json.loads(body.decode().split("\n", 1)[0].removeprefix("const EZFLOW_SW = ").rstrip(";"))
    assert "/offline/" in config["precache"] and "/static/css/ezflow.css" in config["precache"]
    assert len(config["version"]) == 12
    for url in config["precache"]:
        assert data.client_for(org).get(url).status_code == 200, url


def test_offline_page_needs_no_sign_in(data, org):
    response = data.client_for(org).get("/offline/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200 and "오프라인" in response.content.decode()


def test_every_import_warning_the_importer_gives_has_its_own_words_in_korean():
    import re
    from pathlib import Path

    from django.utils import translation

    from apps.flows.pages import import_warning_text as _warning_text

    flows = Path(__file__).parents[2] / "apps" / "flows"
    # the importer and the built-in steps' n8n converters
    paths = [flows / "engine" / "n8n.py", flows / "nodes" / "n8n.py", *(flows / "nodes" / "builtin" / "from_n8n").glob("*.py")]
    paths += [flows.parent / "ai" / "n8n.py", flows.parent / "connectors" / "n8n.py"]
    source = "\n".join(path.read_text() for path in paths)
    codes = set(re.findall(r"""["']code["']\s*:\s*["']([a-z_]+)["']""", source))
    codes |= set(re.findall(r"""warning\(\s*node,\s*["']([a-z_]+)["']""", source))
    assert {"mode_review", "edge_dropped", "code_review", "secret_not_imported", "credential_not_imported"} <= codes
    with translation.override("ko"):
        generic = _warning_text("no_such_code")
        for code in codes:
            assert _warning_text(code) != generic, code
