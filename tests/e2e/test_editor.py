"""The flow editor in a real browser against the real stack (daphne, Celery worker, WebSocket).

A person builds webhook → HTTP request → IF → Slack from an empty canvas by drag and drop only, configures each step
(with an expression picked from the previous step's test output), test-runs it against local fake servers, watches
the steps turn green live, publishes, reloads and finds it intact. Also undo/redo, copy/paste between two flows, a
refused connection, the stale-draft warning with two tabs, and a phone-sized screen.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import link_in_mail, no_horizontal_scroll, sign_in_with_link, unique
from tests.support.data import PASSWORD
from tests.support.fake_http import FakeServer
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

DESKTOP = {"width": 1600, "height": 1000}
CLIPBOARD = ["clipboard-read", "clipboard-write"]


class Organization:
    def __init__(self, stack, stem: str):
        self.stack = stack
        self.slug = unique(stem)
        self.host = f"{self.slug}.localhost"
        self.login_url = signup(stack, self.slug, f"owner@{self.slug}.example", PASSWORD)["login_url"]
        self.api = stack.http(self.host)
        token = self.api.post("/api/v1/auth/token", json={"email": f"owner@{self.slug}.example", "password": PASSWORD}).json()["token"]
        self.api.headers["Authorization"] = f"Bearer {token}"

    def flow(self, name: str, graph: dict | None = None) -> dict:
        response = self.api.post("/api/v1/flows", json={"name": name, "graph": graph or {"nodes": [], "edges": []}})
        assert response.status_code == 201, response.text
        return response.json()

    def editor_url(self, flow_id: int) -> str:
        return self.stack.url(self.host, f"/flows/{flow_id}/edit/")


def open_editor(page: Page, org: Organization, flow_id: int) -> None:
    page.goto(org.editor_url(flow_id))
    expect(page.get_by_test_id("editor")).to_be_visible()


def saved(page: Page) -> None:
    expect(page.get_by_test_id("editor")).to_have_attribute("data-save-state", "saved", timeout=15_000)


def drop(page: Page, key: str, x: int, y: int) -> None:
    """Drag a step from the palette onto the canvas at (x, y) in page coordinates."""
    page.get_by_test_id("palette-search").fill("")
    page.get_by_test_id(f"palette-{key}").drag_to(page.get_by_test_id("canvas"), target_position=canvas_point(page, x, y))


def canvas_point(page: Page, x: int, y: int) -> dict:
    box = page.get_by_test_id("canvas").bounding_box()
    return {"x": x - box["x"], "y": y - box["y"]}


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_wire(page: Page, source, target) -> None:
    """Press on an output port, move across the canvas and release on an input port or a step."""
    sx, sy = centre(source)
    tx, ty = centre(target)
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=8)
    page.mouse.move(tx, ty, steps=8)
    page.mouse.up()


def select(page: Page, name: str) -> None:
    page.get_by_test_id(f"node-{name}").click()
    expect(page.get_by_test_id("node-name")).to_have_value(name)


def deselect(page: Page) -> None:
    page.get_by_test_id("canvas").locator(".react-flow__pane").click(position={"x": 20, "y": 20})


def as_json(payload) -> dict:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def edges_of(org: Organization, flow_id: int) -> set[tuple]:
    graph = org.api.get(f"/api/v1/flows/{flow_id}").json()["graph"]
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    return {(names[e["source"]], e.get("source_port", "main"), names[e["target"]]) for e in graph["edges"]}


@pytest.fixture
def fake_services():
    """The order API the HTTP step calls and the Slack incoming webhook, both on 127.0.0.1."""
    with FakeServer() as server:
        server.routes["/orders/42"] = lambda request: (200, {}, {"id": 42, "total": 150000, "customer": "Minji"})
        server.routes["/slack"] = lambda request: (200, {"Content-Type": "text/plain"}, b"ok")
        yield server


def test_build_run_and_publish_a_flow_by_drag_and_drop(embedded_stack, new_context, shots, fake_services):
    org = Organization(embedded_stack, "editor")
    assert org.api.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
    flow = org.flow("Big orders to Slack")
    page = new_context(viewport=DESKTOP, permissions=CLIPBOARD).new_page()
    live_frames: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: live_frames.append(as_json(payload))))
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])
    expect(page.get_by_test_id("empty-canvas")).to_be_visible()
    shots.take(page, "01-empty")

    # Four steps from the palette, dropped by drag and drop.
    drop(page, "trigger.webhook", 420, 400)
    deselect(page)
    page.get_by_test_id("palette-search").fill("http")
    expect(page.get_by_test_id("palette-net.slack")).to_be_hidden()
    drop(page, "net.http", 680, 400)
    deselect(page)
    drop(page, "flow.if", 940, 400)
    deselect(page)
    drop(page, "net.slack", 1180, 330)
    deselect(page)
    for name in ("Webhook", "HTTP request", "If", "Send to Slack"):
        expect(page.get_by_test_id(f"node-{name}")).to_be_visible()

    # Wires, port to port.
    drag_wire(page, page.get_by_test_id("out-Webhook-main"), page.get_by_test_id("in-HTTP request-main"))
    drag_wire(page, page.get_by_test_id("out-HTTP request-main"), page.get_by_test_id("in-If-main"))
    drag_wire(page, page.get_by_test_id("out-If-true"), page.get_by_test_id("in-Send to Slack-main"))
    # Into a trigger: refused, and the person is told why.
    drag_wire(page, page.get_by_test_id("out-Send to Slack-main"), page.get_by_test_id("node-Webhook"))
    expect(page.get_by_test_id("toast").filter(has_text="A trigger starts the flow")).to_be_visible()
    saved(page)
    assert edges_of(org, flow["id"]) == {
        ("Webhook", "main", "HTTP request"),
        ("HTTP request", "main", "If"),
        ("If", "true", "Send to Slack"),
    }
    shots.take(page, "02-wired")

    # Webhook: pin an example request as test data.
    select(page, "Webhook")
    expect(page.get_by_test_id("webhook-url")).to_contain_text(org.stack.url(org.host, flow["webhook_path"]))
    page.get_by_text("Pin test data").click()
    page.get_by_test_id("pin-text").fill(json.dumps([{"body": {"order_id": 42, "note": "rush"}}]))
    page.get_by_test_id("pin-save").click()
    expect(page.get_by_test_id("data-output")).to_contain_text("order_id")

    # HTTP request: the address uses a field of the webhook's output, picked from the autocomplete.
    select(page, "HTTP request")
    url = page.get_by_test_id("param-url")
    url.fill(fake_services.url("/orders/"))
    url.press("End")
    url.press_sequentially("{{ ord")
    suggestions = page.get_by_test_id("expression-suggestions")
    expect(suggestions).to_contain_text("json.body.order_id")
    suggestions.get_by_text("json.body.order_id", exact=True).click()
    expect(url).to_have_value(fake_services.url("/orders/") + "{{ json.body.order_id }}")
    expect(page.get_by_test_id("param-url-preview")).to_contain_text(fake_services.url("/orders/42"))
    page.get_by_test_id("test-node").click()
    expect(page.get_by_test_id("status-HTTP request")).to_have_attribute("title", "Succeeded")
    expect(page.get_by_test_id("data-output")).to_contain_text("Minji")
    shots.take(page, "03-http-tested")

    # IF: total > 100000, with the field from the HTTP step's test output.
    select(page, "If")
    page.get_by_test_id("param-conditions-add").click()
    left = page.get_by_test_id("param-conditions-0-left")
    left.press_sequentially("{{ json.body.to")
    expect(page.get_by_test_id("expression-suggestions")).to_contain_text("json.body.total")
    left.press("Enter")
    expect(left).to_have_value("{{ json.body.total }}")
    expect(page.get_by_test_id("param-conditions-0-left-preview")).to_contain_text("150000")
    page.get_by_test_id("param-conditions-0-operator").select_option("gt")
    page.get_by_test_id("param-conditions-0-right").fill("100000")

    # Slack: a new credential created inline, and a message with an expression.
    select(page, "Send to Slack")
    page.get_by_test_id("param-credential-new").click()
    page.get_by_test_id("credential-name").fill("Team Slack")
    page.get_by_test_id("credential-url").fill(fake_services.url("/slack"))
    page.get_by_test_id("credential-save").click()
    expect(page.get_by_test_id("param-credential").locator("option:checked")).to_have_text("Team Slack")
    assert [c["name"] for c in org.api.get("/api/v1/credentials").json()] == ["Team Slack"]
    page.get_by_test_id("param-text").fill("Big order {{ json.body.id }} from {{ json.body.customer }}")
    saved(page)
    shots.take(page, "04-configured")

    # Test the whole flow: every step turns green live over /ws/. To prove it, every HTTP read of the run is held back
    # (not answered) until all four steps are green: only the WebSocket's node events can have turned them green.
    expect(page.get_by_test_id("editor")).to_have_attribute("data-live", "open")
    ids = {n["name"]: n["id"] for n in org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]["nodes"]}
    held_reads = []
    run_read = re.compile(r".*/api/v1/runs/\d+(\?.*)?$")
    page.route(run_read, lambda route: held_reads.append(route))
    live_frames.clear()
    page.get_by_test_id("run-test").click()
    for name in ("Webhook", "HTTP request", "If", "Send to Slack"):
        expect(page.get_by_test_id(f"node-{name}")).to_have_attribute("data-status", "success", timeout=30_000)
    expect(page.get_by_test_id("run-info")).to_contain_text("succeeded")
    finished_over_ws = {
        event["node_id"]
        for frame in live_frames
        if frame.get("type") == "nodes"
        for event in frame.get("events", [])
        if event.get("type") == "node.finished"
    }
    assert set(ids.values()) <= finished_over_ws, live_frames
    for held in held_reads:  # the editor's reads (the one-time check after starting, the final outputs) now go through
        held.continue_()
    page.unroute(run_read)
    slack_calls = [r for r in fake_services.requests if r["path"] == "/slack"]
    assert [json.loads(r["body"]) for r in slack_calls] == [{"text": "Big order 42 from Minji"}]
    select(page, "Send to Slack")
    expect(page.get_by_test_id("data-input")).to_contain_text("Minji")
    shots.take(page, "05-test-run-green")

    # Publish with a message, reload, and everything is still there.
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-message").fill("First version")
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("toast").filter(has_text="Published as version 1")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("editor")).to_be_visible()
    for name in ("Webhook", "HTTP request", "If", "Send to Slack"):
        expect(page.get_by_test_id(f"node-{name}")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    select(page, "HTTP request")
    expect(page.get_by_test_id("param-url")).to_have_value(fake_services.url("/orders/") + "{{ json.body.order_id }}")
    versions = org.api.get(f"/api/v1/flows/{flow['id']}/versions").json()
    assert [(v["number"], v["message"]) for v in versions] == [(1, "First version")]
    shots.take(page, "06-reloaded")

    # The webhook address is one click away.
    page.get_by_test_id("more").click()
    page.get_by_test_id("copy-webhook").click()
    expect(page.get_by_test_id("toast").filter(has_text="Webhook address copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == org.stack.url(org.host, flow["webhook_path"])
    assert new_context.page_errors == []


SMALL_GRAPH = {
    "nodes": [
        {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0]},
        {
            "id": "greet",
            "type": "data.set",
            "name": "Greet",
            "position": [260, 0],
            "parameters": {"fields": [{"name": "hi", "value": "Hello"}]},
        },
    ],
    "edges": [{"source": "start", "target": "greet"}],
}


def node_names(org: Organization, flow_id: int) -> list[str]:
    return sorted(n["name"] for n in org.api.get(f"/api/v1/flows/{flow_id}").json()["graph"]["nodes"])


def test_undo_redo_and_copy_paste_between_two_flows_in_two_tabs(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "editor-clip")
    source = org.flow("Source", SMALL_GRAPH)
    target = org.flow("Target")
    context = new_context(viewport=DESKTOP, permissions=CLIPBOARD)
    page = context.new_page()
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, source["id"])

    # Steps are named for screen readers and can be selected from the keyboard.
    greet = page.get_by_role("group", name="Greet (Set fields)")
    greet.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("node-name")).to_have_value("Greet")

    # Click a palette entry: the step is added after the selected one and wired to it.
    select(page, "Greet")
    page.get_by_test_id("palette-search").fill("limit")
    page.get_by_test_id("palette-data.limit").click()
    expect(page.get_by_test_id("node-Limit")).to_be_visible()
    saved(page)
    assert ("Greet", "main", "Limit") in edges_of(org, source["id"])
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("node-Limit")).to_have_count(0)
    saved(page)
    assert node_names(org, source["id"]) == ["Greet", "Start"]
    page.keyboard.press("Control+Shift+Z")
    expect(page.get_by_test_id("node-Limit")).to_be_visible()
    saved(page)
    assert node_names(org, source["id"]) == ["Greet", "Limit", "Start"]

    # Delete with the keyboard, then undo with the keyboard.
    page.get_by_test_id("node-Limit").click()
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("node-Limit")).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("node-Limit")).to_be_visible()

    # Copy two steps (click, ctrl+click) and paste them into another flow opened in a second tab.
    page.get_by_test_id("node-Greet").click()
    page.get_by_test_id("node-Limit").click(modifiers=["Control"])
    page.keyboard.press("Control+c")
    expect(page.get_by_test_id("toast").filter(has_text="Copied")).to_be_visible()
    other = context.new_page()
    open_editor(other, org, target["id"])
    other.get_by_test_id("canvas").locator(".react-flow__pane").click(position={"x": 300, "y": 300})
    other.keyboard.press("Control+v")
    expect(other.get_by_test_id("node-Greet")).to_be_visible()
    expect(other.get_by_test_id("node-Limit")).to_be_visible()
    expect(other.locator(".react-flow__edge")).to_have_count(1)
    saved(other)
    assert node_names(org, target["id"]) == ["Greet", "Limit"]
    assert edges_of(org, target["id"]) == {("Greet", "main", "Limit")}
    # Pasting again keeps names unique; duplicate (Ctrl+D) does the same inside one flow.
    other.keyboard.press("Control+v")
    expect(other.get_by_test_id("node-Greet 2")).to_be_visible()
    other.keyboard.press("Control+d")
    expect(other.get_by_test_id("node-Greet 3")).to_be_visible()
    saved(other)
    assert len(node_names(org, target["id"])) == 6
    shots.take(other, "pasted")

    # The code step gets a code editor with highlighting.
    other.get_by_test_id("palette-search").fill("python")
    other.get_by_test_id("palette-code.python").click()
    expect(other.get_by_test_id("panel").locator(".cm-editor .cm-content")).to_be_visible()
    expect(other.get_by_test_id("panel").locator(".cm-editor .cm-line").first).not_to_be_empty()

    # Keyboard only: "/" opens the step search, Enter adds the first match.
    other.get_by_test_id("canvas").locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    other.keyboard.press("/")
    expect(other.get_by_test_id("palette-search")).to_be_focused()
    other.keyboard.type("filter")
    other.keyboard.press("Enter")
    expect(other.get_by_test_id("node-Filter")).to_be_visible()

    # Tidy up and the shortcut help.
    other.get_by_test_id("auto-layout").click()
    other.keyboard.press("?")
    expect(other.get_by_test_id("help")).to_contain_text("Ctrl+Z")
    other.keyboard.press("Escape")
    expect(other.get_by_test_id("help")).to_have_count(0)
    assert new_context.page_errors == []


def test_a_stale_draft_is_announced_instead_of_overwritten(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "editor-stale")
    flow = org.flow("Shared", SMALL_GRAPH)
    context = new_context(viewport=DESKTOP)
    first, second = context.new_page(), context.new_page()
    sign_in_with_link(first, org.login_url)
    open_editor(first, org, flow["id"])
    open_editor(second, org, flow["id"])

    select(first, "Greet")
    first.get_by_test_id("palette-data.limit").click()
    saved(first)
    select(second, "Greet")
    second.get_by_test_id("palette-data.sort").click()
    expect(second.get_by_test_id("stale-warning")).to_be_visible()
    expect(second.get_by_test_id("save-state")).to_have_text("Not saved: changed elsewhere")
    assert node_names(org, flow["id"]) == ["Greet", "Limit", "Start"]  # nothing silently overwritten
    shots.take(second, "stale-warning")

    second.get_by_test_id("stale-reload").click()
    expect(second.get_by_test_id("node-Limit")).to_be_visible()
    expect(second.get_by_test_id("node-Sort")).to_have_count(0)

    # Offline: the person is told, the change waits, and it is saved once the connection is back.
    context.set_offline(True)
    expect(second.get_by_test_id("editor-offline")).to_be_visible()
    select(second, "Limit")
    second.get_by_test_id("palette-data.sort").click()
    expect(second.get_by_test_id("save-state")).to_have_text("Unsaved changes…")
    context.set_offline(False)
    saved(second)
    assert node_names(org, flow["id"]) == ["Greet", "Limit", "Sort", "Start"]
    assert new_context.page_errors == []


def test_the_editor_in_korean_and_on_a_phone(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "editor-phone")
    flow = org.flow("Phone", SMALL_GRAPH)
    org.api.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"})
    page = new_context(viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True).new_page()
    sign_in_with_link(page, org.login_url)
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    open_editor(page, org, flow["id"])
    expect(page.get_by_test_id("node-Greet")).to_be_visible()
    expect(page.get_by_test_id("run-test")).to_contain_text("플로우 테스트")
    expect(page.get_by_test_id("palette")).to_have_count(0)  # the palette opens on demand on small screens
    # The site's top bar shrinks here (no account links, organization name or Korean brand; it took 320 px before), so
    # the canvas gets the screen; the main links and the bell stay visible.
    expect(page.locator(".nav-main").get_by_role("link", name="플로우")).to_be_visible()
    assert page.get_by_test_id("editor").bounding_box()["y"] < 120
    overflow = no_horizontal_scroll(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
    shots.take(page, "phone-ko")

    # Switching the flow on and off works from the phone.
    page.get_by_test_id("active-toggle").click()
    expect(page.get_by_test_id("active-toggle")).to_be_checked()
    expect(page.get_by_test_id("toast").filter(has_text="플로우가 켜졌습니다")).to_be_visible()
    assert org.api.get(f"/api/v1/flows/{flow['id']}").json()["active"] is True
    page.get_by_test_id("active-toggle").click()
    expect(page.get_by_test_id("active-toggle")).not_to_be_checked()
    expect(page.get_by_test_id("toast").filter(has_text="플로우가 꺼졌습니다")).to_be_visible()
    assert org.api.get(f"/api/v1/flows/{flow['id']}").json()["active"] is False

    # A test run from the phone turns the steps green.
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-Greet")).to_have_attribute("data-status", "success", timeout=30_000)
    shots.take(page, "phone-ran")
    assert new_context.page_errors == []


def test_versions_diff_and_restore_validation_on_fields_and_n8n_import(embedded_stack, new_context, shots):
    from pathlib import Path

    org = Organization(embedded_stack, "editor-history")
    flow = org.flow("History", SMALL_GRAPH)
    assert org.api.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "Greeting"}).status_code == 201
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])

    # A required field left empty: the server's problem shows on the step and under the field.
    select(page, "Greet")
    page.get_by_test_id("palette-search").fill("http")
    page.get_by_test_id("palette-net.http").click()
    saved(page)
    expect(page.get_by_test_id("problems-HTTP request")).to_have_text("1")
    expect(page.get_by_test_id("param-url-error")).to_contain_text("“URL” is required.")
    page.get_by_test_id("param-url").fill("http://127.0.0.1:9/orders")
    saved(page)
    expect(page.get_by_test_id("problems-HTTP request")).to_have_count(0)
    expect(page.get_by_test_id("param-url-error")).to_have_count(0)
    # Testing it alone: this organization does not allow internal addresses, and the step says why it failed.
    page.get_by_test_id("test-node").click()
    expect(page.get_by_test_id("node-HTTP request")).to_have_attribute("data-status", "error")
    expect(page.get_by_test_id("node-error")).to_contain_text("internal address")

    # Change a value and add a sticky note, then compare with version 1 on the canvas.
    select(page, "Greet")
    page.get_by_test_id("param-fields-0-value").fill("Good morning")
    deselect(page)
    page.get_by_test_id("palette-search").fill("note")
    page.get_by_test_id("palette-note.sticky").click()
    page.keyboard.press("f")  # fit the whole flow on screen
    page.get_by_test_id("node-Start").click()
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("node-Start")).to_have_count(0)
    saved(page)
    page.get_by_test_id("more").click()
    page.get_by_test_id("open-history").click()
    expect(page.get_by_test_id("version-1")).to_contain_text("Greeting")
    page.get_by_test_id("diff-1").click()
    expect(page.get_by_test_id("history")).to_contain_text("Greet: Fields (row 1)")  # in words, not parameters.fields[0].value
    # Tab goes round inside the dialog; closing it puts the focus back on the menu button.
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('[data-testid=history]').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("more")).to_be_focused()
    expect(page.get_by_test_id("node-Greet")).to_have_class(re.compile(r"diff-changed"))
    expect(page.get_by_test_id("node-HTTP request")).to_have_class(re.compile(r"diff-added"))
    expect(page.get_by_test_id("node-Start")).to_have_class(re.compile(r"diff-removed"))  # drawn faded where it was
    expect(page.locator(".react-flow__edge.diff-removed")).to_have_count(1)  # and its connection to Greet, dashed
    expect(page.get_by_test_id("diff-banner")).to_contain_text("Start")
    shots.take(page, "diff-on-canvas")

    # Restore version 1 into the draft.
    page.get_by_test_id("more").click()
    page.get_by_test_id("open-history").click()
    page.get_by_test_id("restore-1").click()
    expect(page.get_by_test_id("node-HTTP request")).to_have_count(0)
    expect(page.get_by_test_id("node-Sticky note")).to_have_count(0)
    expect(page.get_by_test_id("node-Start")).not_to_have_class(re.compile(r"diff-"))
    saved(page)
    greet = next(n for n in org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]["nodes"] if n["name"] == "Greet")
    assert greet["parameters"]["fields"][0]["value"] == "Hello"

    # Import an n8n workflow: a new flow, with the unsupported steps listed.
    n8n = (Path(__file__).resolve().parents[1] / "flows" / "fixtures" / "n8n_orders.json").read_text(encoding="utf-8")
    page.get_by_test_id("more").click()
    page.get_by_test_id("open-import").click()
    page.get_by_test_id("import-text").fill(n8n)
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-unsupported")).to_contain_text("Postgres")
    shots.take(page, "n8n-import")
    page.get_by_test_id("import-result").get_by_role("link").click()
    expect(page.get_by_test_id("node-Webhook")).to_be_visible()
    expect(page.get_by_test_id("flow-name")).to_have_value("Order intake")
    assert new_context.page_errors == []


FIELDS_GRAPH = {
    "nodes": [
        {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0]},
        {"id": "fetch", "type": "net.http", "name": "Fetch", "position": [0, 0], "parameters": {"url": "http://127.0.0.1:9/orders"}},
        {"id": "later", "type": "data.limit", "name": "Later", "position": [0, 0]},
    ],
    "edges": [{"source": "start", "target": "fetch"}, {"source": "fetch", "target": "later"}],
}


def node_of(org: Organization, flow_id: int, name: str) -> dict:
    return next(n for n in org.api.get(f"/api/v1/flows/{flow_id}").json()["graph"]["nodes"] if n["name"] == name)


def test_key_value_json_number_fields_sticky_notes_and_tidy_up(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "editor-fields")
    flow = org.flow("Fields", FIELDS_GRAPH)
    page = new_context(viewport=DESKTOP).new_page()
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: console_errors.append(f"{message.text} {message.location.get('url')}") if message.type == "error" else None,
    )
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])

    # Tidy up: three steps stacked on one spot are laid out left to right in the order they run.
    page.get_by_test_id("auto-layout").click()
    saved(page)
    xs = {name: node_of(org, flow["id"], name)["position"][0] for name in ("Start", "Fetch", "Later")}
    assert xs["Start"] < xs["Fetch"] < xs["Later"], xs

    # Key-value rows (headers): a second row with a name already used is kept on screen and explained, not merged.
    select(page, "Fetch")
    # A step name emptied, or taken from another step, is not taken: the box shows the step's name again.
    name = page.get_by_test_id("node-name")
    name.fill("")
    name.press("Enter")
    expect(name).to_have_value("Fetch")
    name.fill("Start")
    name.press("Enter")
    expect(page.get_by_test_id("toast").filter(has_text="Another step already has this name")).to_be_visible()
    expect(name).to_have_value("Fetch")
    page.get_by_test_id("param-headers-add").click()
    page.get_by_test_id("param-headers-0-name").fill("X-Team")
    page.get_by_test_id("param-headers-0-value").fill("Sales")
    page.get_by_test_id("param-headers-add").click()
    page.get_by_test_id("param-headers-1-name").fill("X-Team")
    page.get_by_test_id("param-headers-1-value").fill("Monday")
    expect(page.get_by_test_id("param-headers-1-duplicate")).to_contain_text("Another row already uses this name")
    expect(page.get_by_test_id("param-headers-1-value")).to_have_value("Monday")
    page.get_by_test_id("param-headers-1-name").fill("X-Day")
    expect(page.get_by_test_id("param-headers-1-duplicate")).to_have_count(0)

    # JSON: invalid text is explained under the field and kept as typed; valid JSON is saved as data.
    page.get_by_test_id("param-body_type").select_option("json")
    body = page.get_by_test_id("param-body")
    body.fill('{"order": 42, "tags": ["rush"')
    body.press("Tab")
    expect(page.get_by_test_id("param-body-invalid")).to_contain_text("not valid JSON")
    expect(body).to_have_value('{"order": 42, "tags": ["rush"')
    select(page, "Later")  # away and back: the unfinished JSON is still there, with its message
    select(page, "Fetch")
    expect(body).to_have_value('{"order": 42, "tags": ["rush"')
    expect(page.get_by_test_id("param-body-invalid")).to_be_visible()
    body.fill('{"order": 42, "tags": ["rush"]}')
    body.press("Tab")
    expect(page.get_by_test_id("param-body-invalid")).to_have_count(0)

    # A number field with words in it: the server's sentence shows under the field; fixing it clears it.
    page.get_by_test_id("param-timeout_seconds").fill("ten")
    saved(page)
    expect(page.get_by_test_id("param-timeout_seconds-error")).to_contain_text("must be a number")
    page.get_by_test_id("param-timeout_seconds").fill("10")
    saved(page)
    expect(page.get_by_test_id("param-timeout_seconds-error")).to_have_count(0)
    fetch = node_of(org, flow["id"], "Fetch")["parameters"]
    assert fetch["headers"] == {"X-Team": "Sales", "X-Day": "Monday"}
    assert fetch["body"] == {"order": 42, "tags": ["rush"]}
    assert fetch["timeout_seconds"] == 10

    # A sticky note: added from the palette, text written in the panel, made bigger with its corner handle.
    deselect(page)
    page.get_by_test_id("palette-search").fill("note")
    page.get_by_test_id("palette-note.sticky").click()
    note = page.get_by_test_id("node-Sticky note")
    expect(note).to_be_visible()
    page.keyboard.press("f")  # fit the whole flow on screen
    page.get_by_test_id("param-text").fill("Ask Minji before changing the address")
    expect(note).to_contain_text("Ask Minji before changing the address")
    before = note.bounding_box()
    handle = note.locator(".react-flow__resize-control.handle.bottom.right")
    hx, hy = centre(handle)
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(hx + 60, hy + 40, steps=5)
    page.mouse.move(hx + 120, hy + 80, steps=5)
    page.mouse.up()
    saved(page)
    sticky = node_of(org, flow["id"], "Sticky note")
    assert sticky["parameters"]["text"] == "Ask Minji before changing the address"
    assert sticky["size"][0] > before["width"] + 40 and sticky["size"][1] > before["height"] + 20, (sticky, before)
    shots.take(page, "fields-and-note")

    # A huge text pasted into a field: the editor says the flow is too large (once, in words), keeps the text, and
    # saves again as soon as it is shortened.
    huge = "x" * 3_000_000
    page.get_by_test_id("param-text").fill(huge)
    too_large = page.get_by_test_id("toast").filter(has_text="This flow is too large to save")
    expect(too_large).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_text("Not saved")
    page.wait_for_timeout(2000)
    expect(too_large).to_have_count(1)
    assert len(page.get_by_test_id("param-text").input_value()) == len(huge)
    page.get_by_test_id("param-text").fill("Ask Minji before changing the address")
    saved(page)

    # Everything is still there after a reload.
    page.reload()
    note = page.get_by_test_id("node-Sticky note")
    expect(note).to_contain_text("Ask Minji before changing the address")
    assert note.bounding_box()["width"] > before["width"] + 40
    select(page, "Fetch")
    expect(page.get_by_test_id("param-headers-1-name")).to_be_visible()
    rows = {
        page.get_by_test_id(f"param-headers-{i}-name").input_value(): page.get_by_test_id(f"param-headers-{i}-value").input_value()
        for i in (0, 1)
    }
    assert rows == {"X-Team": "Sales", "X-Day": "Monday"}
    expect(page.get_by_test_id("param-body")).to_have_value(re.compile(r'"order": 42'))
    assert new_context.page_errors == []
    assert console_errors == []  # bad input never reaches the console as an error


def test_an_editor_who_is_not_an_admin_is_told_who_adds_credentials(embedded_stack, new_context):
    org = Organization(embedded_stack, "editor-role")
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0]},
            {"id": "slack", "type": "net.slack", "name": "Send to Slack", "position": [260, 0]},
        ],
        "edges": [{"source": "start", "target": "slack"}],
    }
    flow = org.flow("Team news", graph)
    email = f"editor@{org.slug}.example"
    assert org.api.post("/api/v1/invitations", json={"email": email, "role": "editor"}).status_code == 201
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(link_in_mail(org.stack.read_mail(email), org.host, org.stack.port))
    page.locator("#id_name").fill("Eun")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("accept-submit").click()
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    open_editor(page, org, flow["id"])

    # Credentials are added by administrators only (the API refuses editors): no form that would fail, but who to ask.
    select(page, "Send to Slack")
    expect(page.get_by_test_id("param-credential-admins-only")).to_contain_text("Only administrators can add credentials")
    expect(page.get_by_test_id("param-credential-new")).to_have_count(0)
    assert new_context.page_errors == []


def test_ports_come_from_the_catalogue_switch_rules_and_a_loop(embedded_stack, new_context, shots):
    """The editor knows no step keys: a switch's outputs follow its rules (the catalogue's dynamic_outputs), and a
    connection back into a loop step is allowed only because the catalogue says it loops."""
    org = Organization(embedded_stack, "ports")
    rule = {"conditions": [{"left": "{{ json.n }}", "operator": "gt", "right": "1"}], "combine": "and"}
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0], "parameters": {}},
            {"id": "sw", "type": "flow.switch", "name": "Route", "position": [260, 0], "parameters": {"rules": [rule, rule]}},
            {"id": "loop", "type": "flow.loop", "name": "Each", "position": [520, 0], "parameters": {}},
            {"id": "noop", "type": "flow.noop", "name": "Work", "position": [780, 0], "parameters": {}},
        ],
        "edges": [
            {"source": "start", "source_port": "main", "target": "sw", "target_port": "main"},
            {"source": "sw", "source_port": "0", "target": "loop", "target_port": "main"},
        ],
    }
    flow = org.flow("Ports", graph)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])
    for port in ("0", "1", "fallback"):
        expect(page.get_by_test_id(f"out-Route-{port}")).to_be_visible()
    expect(page.get_by_test_id("out-Route-main")).to_have_count(0)
    expect(page.get_by_test_id("out-Each-loop")).to_be_visible()
    expect(page.get_by_test_id("out-Each-done")).to_be_visible()
    # Each (loop) → Work → Each closes a circle through the loop step: allowed.
    drag_wire(page, page.get_by_test_id("out-Each-loop"), page.get_by_test_id("in-Work-main"))
    drag_wire(page, page.get_by_test_id("out-Work-main"), page.get_by_test_id("in-Each-main"))
    saved(page)
    stored = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]["edges"]
    assert {"source": "noop", "target": "loop"} in [{"source": e["source"], "target": e["target"]} for e in stored]
    shots.take(page, "ports-from-catalogue")
