"""The run pages live in a real browser: a webhook starts a run, the run list shows it without reload, and the
run page colours each node as the worker finishes it. Also the monitoring charts and the Korean run page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link, unique
from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD
from tests.support.fake_http import FakeServer
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SLOW_GRAPH = {
    "nodes": [
        {**node("hook", "trigger.webhook", "Webhook", response_mode="immediately"), "position": [0, 0]},
        {**node("greet", "data.set", "Greet", fields=[{"name": "greeting", "value": "Hello {{ json.body.name }}"}]), "position": [240, 0]},
        {**node("pause", "flow.wait", "Pause", mode="duration", seconds=2), "position": [480, 0]},
        {**node("done", "data.set", "Done", fields=[{"name": "done", "value": True}]), "position": [720, 0]},
    ],
    "edges": [edge("hook", "greet"), edge("greet", "pause"), edge("pause", "done")],
}
FAILING_GRAPH = {
    "nodes": [
        {**node("hook", "trigger.webhook", "Webhook", response_mode="immediately"), "position": [0, 0]},
        {**node("prepare", "data.set", "Prepare", fields=[{"name": "zero", "value": "{{ json.body.zero }}"}]), "position": [240, 0]},
        {**node("divide", "data.set", "Divide", fields=[{"name": "x", "value": "{{ 1 / json.zero }}"}]), "position": [480, 0]},
    ],
    "edges": [edge("hook", "prepare"), edge("prepare", "divide")],
}


def organization_with_flow(stack, stem: str, graph: dict, name: str):
    slug = unique(stem)
    created = signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": name, "graph": graph}).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code == 201
    assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
    return slug, created["login_url"], client, flow


def test_a_webhook_run_appears_and_its_nodes_turn_green_without_reload(embedded_stack, page, new_context, shots):
    stack = embedded_stack
    slug, login_url, client, flow = organization_with_flow(stack, "liveruns", SLOW_GRAPH, "Greeter")
    sign_in_with_link(page, login_url)
    page.goto(stack.url(f"{slug}.localhost", f"/runs/?flow={flow['id']}"))
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live")
    page.evaluate("window.__notReloaded = true")

    accepted = client.post(flow["webhook_path"], json={"name": "Minji"})
    assert accepted.status_code == 202, accepted.text
    run_id = accepted.json()["run_id"]
    row = page.locator(f'tr[data-run-id="{run_id}"]')
    expect(row).to_be_visible()  # pushed, not reloaded
    assert page.evaluate("window.__notReloaded") is True
    shots.take(page, "run-list-live")

    row.get_by_test_id("run-link").click()
    page.wait_for_url(stack.url(f"{slug}.localhost", f"/runs/{run_id}/"))
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live")
    page.evaluate("window.__notReloaded = true")
    # The run waits two seconds at "Pause": the page is open before the last node finishes.
    done = page.locator('g[data-node-id="done"]')
    expect(done).to_have_class("node node-success", timeout=30_000)
    for node_id in ("hook", "greet", "pause", "done"):
        expect(page.locator(f'g[data-node-id="{node_id}"]')).to_have_class("node node-success")
    expect(page.get_by_test_id("run-status")).to_contain_text("Succeeded")
    assert page.evaluate("window.__notReloaded") is True
    shots.take(page, "run-page-green")

    # Output items of a node, as a table and as JSON.
    page.locator('g[data-node-id="greet"]').click()
    panel = page.locator("#node-greet")
    expect(panel.locator(".items-table").last).to_contain_text("Hello Minji")
    panel.get_by_role("button", name="JSON").click()
    expect(panel.locator(".items-json").last).to_contain_text('"greeting": "Hello Minji"')
    expect(page.get_by_test_id("timeline")).to_contain_text("Pause")
    assert new_context.page_errors == []


def test_a_failed_run_shows_the_error_and_retries_from_the_page_in_korean(embedded_stack, new_context, shots):
    stack = embedded_stack
    slug, login_url, client, flow = organization_with_flow(stack, "failruns", FAILING_GRAPH, "Divider")
    page = new_context(locale="ko-KR").new_page()
    sign_in_with_link(page, login_url)
    page.get_by_test_id("language-select").select_option("ko")  # remembered for this person
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    # The run fails within milliseconds, usually while the page loads and before it subscribes: the page learns it
    # from the answer to its subscription (the run's seq), not from events it could not receive.
    run_id = client.post(flow["webhook_path"], json={"zero": 0}).json()["run_id"]
    page.goto(stack.url(f"{slug}.localhost", f"/runs/{run_id}/"))
    expect(page.locator('g[data-node-id="divide"]')).to_have_class("node node-failed", timeout=30_000)
    expect(page.get_by_test_id("run-status")).to_contain_text("실패")
    expect(page.get_by_test_id("run-error")).to_contain_text("식이 0으로 나누고 있습니다")  # in Korean words
    expect(page.get_by_test_id("run-error")).not_to_contain_text("ZeroDivisionError")  # no Python wording
    shots.take(page, "run-page-failed-ko")
    page.get_by_test_id("retry-run").click()
    expect(page.locator(".message")).to_contain_text("실패한 단계부터")
    assert page.url != stack.url(f"{slug}.localhost", f"/runs/{run_id}/")  # the new run's page
    expect(page.locator('g[data-node-id="divide"]')).to_have_class("node node-failed", timeout=30_000)
    # The retry links back to the run it retried, and the steps it took from there say "reused", not "not run".
    expect(page.get_by_test_id("run-title")).to_contain_text("실행 #2")
    expect(page.get_by_test_id("retry-of")).to_have_text("#1")
    for reused in ("hook", "prepare"):
        expect(page.locator(f'g[data-node-id="{reused}"]')).to_have_class("node node-reused")
        expect(page.locator(f'g[data-node-id="{reused}"] [data-node-meta]')).to_contain_text("이전 실행 결과 재사용")
    expect(page.locator(".run-graph")).not_to_contain_text("실행 안 됨")
    shots.take(page, "run-page-retry-reused-ko")
    page.get_by_test_id("retry-of").click()
    page.wait_for_url(stack.url(f"{slug}.localhost", f"/runs/{run_id}/"))

    # On a phone the diagram is wider than the screen: it scrolls inside its box to the failed step.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    failed = page.locator('g[data-node-id="divide"]')
    expect(failed).to_have_class("node node-failed")
    expect(page.locator(".graph-wrap")).to_have_attribute("data-revealed", "divide")
    wrap = page.locator(".graph-wrap").bounding_box()
    assert page.locator(".graph-wrap").evaluate("b => b.scrollWidth > b.clientWidth"), wrap  # wider than the box
    step = failed.bounding_box()
    assert step["x"] >= wrap["x"] - 1 and step["x"] + step["width"] <= wrap["x"] + wrap["width"] + 1, (step, wrap)
    shots.take(page, "run-page-failed-step-in-sight-phone-ko")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(stack.url(f"{slug}.localhost", "/monitoring/"))
    expect(page.get_by_test_id("stat-total")).to_have_text("2")
    client.post(flow["webhook_path"], json={"zero": 0})
    expect(page.get_by_test_id("stat-total")).to_have_text("3", timeout=30_000)  # refreshed live
    expect(page.get_by_test_id("top-errors")).to_contain_text("3×")
    assert page.locator("#runs-chart").bounding_box()["height"] > 100
    expect(page.get_by_test_id("top-errors")).to_contain_text("Divide")  # the step's name, not its id
    shots.take(page, "monitoring-ko")

    # Another server's error page: a short summary in words, the raw answer folded away until asked for.
    with FakeServer() as server:
        body = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>" + "<p>detail</p>" * 200 + "</body></html>"
        server.routes["/orders"] = lambda request: (502, {"Content-Type": "text/html"}, body.encode())
        graph = {
            "nodes": [
                {**node("hook", "trigger.webhook", "Webhook", response_mode="immediately"), "position": [0, 0]},
                {**node("fetch", "net.http", "Fetch orders", url=server.url("/orders")), "position": [240, 0]},
            ],
            "edges": [edge("hook", "fetch")],
        }
        assert client.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
        fetch_flow = client.post("/api/v1/flows", json={"name": "Fetcher", "graph": graph}).json()
        assert client.post(f"/api/v1/flows/{fetch_flow['id']}/publish", json={}).status_code in (200, 201)
        assert client.post(f"/api/v1/flows/{fetch_flow['id']}/activate").status_code == 200
        fetch_run = client.post(fetch_flow["webhook_path"], json={}).json()["run_id"]
        page.goto(stack.url(f"{slug}.localhost", f"/runs/{fetch_run}/"))
        expect(page.locator('g[data-node-id="fetch"]')).to_have_class("node node-failed", timeout=30_000)
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("502 Bad Gateway")
    expect(summary).not_to_contain_text("<html")
    raw = page.get_by_test_id("raw-answer")
    expect(raw.locator("pre")).to_be_hidden()
    shots.take(page, "run-page-http-error-summary-ko")
    raw.locator("summary").click()
    expect(raw.locator("pre")).to_contain_text("<title>502 Bad Gateway</title>")
    assert new_context.page_errors == []
