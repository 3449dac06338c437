"""Alerts against real processes: a flow that fails through its webhook runs on the worker, the alert check runs on
the worker after it, the owner's bell goes up live over the WebSocket (not anyone else's), and an email lands in
the mailbox with a link to the run."""

import asyncio
import json
import re
import time

import pytest
import websockets

from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = pytest.mark.stack

FAILING = {
    "nodes": [
        node("hook", "trigger.webhook", "Webhook"),
        node("check", "flow.stop_error", "Check stock", message="Stock level missing for item {{ json.body.sku }}"),
    ],
    "edges": [edge("hook", "check")],
}


def failing_flow_with_an_alert(stack, slug):
    result = signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    owner = stack.http(f"{slug}.localhost")
    token = owner.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    owner.headers["Authorization"] = f"Bearer {token}"
    flow = owner.post("/api/v1/flows", json={"name": "Stock sync", "graph": FAILING}).json()
    assert owner.post(f"/api/v1/flows/{flow['id']}/publish", json={}).status_code == 201
    assert owner.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
    rule = owner.post(f"/api/v1/flows/{flow['id']}/alert-rules", json={"kind": "failure", "email": True, "in_app": True})
    assert rule.status_code == 201, rule.text
    return owner, flow, result["login_url"]


def join_as_viewer(stack, owner, slug):
    email = f"viewer@{slug}.example"
    assert owner.post("/api/v1/invitations", json={"email": email, "role": "viewer"}).status_code == 201
    invite_path = re.search(rf"http://{slug}\.localhost:\d+(/invite/[^/\s]+/)", stack.read_mail(email)).group(1)
    guest = stack.http(f"{slug}.localhost")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', guest.get(invite_path).text).group(1)
    assert guest.post(invite_path, data={"csrfmiddlewaretoken": csrf, "name": "Viewer", "password": PASSWORD}).status_code == 302
    return guest


def ticket(client) -> str:
    return client.post("/api/v1/realtime/ticket", headers={"X-CSRFToken": client.cookies.get("csrftoken", "")}).json()["ticket"]


def test_the_alert_reaches_the_owners_socket_only(embedded_stack):
    stack, slug = embedded_stack, "alert-ws"
    owner, flow, _login = failing_flow_with_an_alert(stack, slug)
    viewer = join_as_viewer(stack, owner, slug)
    tickets = {"owner": ticket(owner), "viewer": ticket(viewer)}
    port = stack.port

    async def listen(who, ready: asyncio.Event, received: list):
        url = f"ws://{slug}.localhost:{port}/ws/?ticket={tickets[who]}"
        async with websockets.connect(url, host="127.0.0.1", port=port, origin=f"http://{slug}.localhost:{port}") as socket:
            await socket.send(json.dumps({"type": "subscribe", "page": "notifications"}))
            assert json.loads(await socket.recv())["type"] == "subscribed"
            ready.set()
            try:
                while True:
                    received.append(json.loads(await asyncio.wait_for(socket.recv(), timeout=30 if who == "owner" else 8)))
                    if who == "owner":
                        return
            except TimeoutError:
                return

    async def scenario():
        owner_ready, viewer_ready = asyncio.Event(), asyncio.Event()
        owner_got, viewer_got = [], []
        tasks = [
            asyncio.create_task(listen("owner", owner_ready, owner_got)),
            asyncio.create_task(listen("viewer", viewer_ready, viewer_got)),
        ]
        await owner_ready.wait()
        await viewer_ready.wait()
        started = time.monotonic()
        accepted = await asyncio.to_thread(lambda: owner.post(flow["webhook_path"], json={"sku": "A-1"}))
        assert accepted.status_code == 202, accepted.text
        await tasks[0]
        print(f"webhook to notification.created on the owner's socket: {(time.monotonic() - started) * 1000:.0f} ms")
        await tasks[1]
        return owner_got, viewer_got

    owner_got, viewer_got = asyncio.run(scenario())
    assert owner_got and owner_got[0]["type"] == "notification.created" and owner_got[0]["unread"] == 1, (owner_got, stack.logs())
    assert set(owner_got[0]) == {"type", "id", "unread"}  # a hint only: no titles, errors or item data
    assert viewer_got == []
    listed = owner.get("/api/v1/notifications").json()
    assert listed["results"][0]["id"] == owner_got[0]["id"] and "Stock level missing for item A-1" in listed["results"][0]["message"]


def test_the_bell_rings_live_links_to_the_run_and_an_email_arrives(embedded_stack, page, new_context, shots):
    from playwright.sync_api import expect

    stack, slug = embedded_stack, "alert-bell"
    owner, flow, login_url = failing_flow_with_an_alert(stack, slug)
    page.goto(login_url)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_be_hidden()
    page.evaluate("window.__notReloaded = true")
    page.wait_for_function("window.EZLive && window.EZLive.status === 'live'")
    shots.take(page, "before")

    accepted = owner.post(flow["webhook_path"], json={"sku": "B-7"})
    assert accepted.status_code == 202
    run_id = accepted.json()["run_id"]
    expect(page.get_by_test_id("bell-count")).to_have_text("1", timeout=30_000)
    assert page.evaluate("window.__notReloaded") is True  # it came over the WebSocket, not a reload
    shots.take(page, "bell-rang")

    page.get_by_test_id("bell-button").click()
    item = page.get_by_test_id("bell-item").first
    expect(item).to_contain_text("“Stock sync” failed")
    expect(item).to_contain_text("At step “Check stock”")  # the step's name and type label, not its id or type key
    expect(item).not_to_contain_text("flow.stop_error")
    expect(item).to_have_attribute("href", f"/runs/{run_id}/")
    shots.take(page, "bell-open")
    item.click()
    page.wait_for_url(stack.url(f"{slug}.localhost", f"/runs/{run_id}/"))
    expect(page.get_by_test_id("bell-count")).to_be_hidden()  # opening it marked it read

    mail = stack.read_mail(f"owner@{slug}.example")
    assert "Subject: [EZFlow] =?utf-8?" in mail or "“Stock sync” failed" in mail
    assert f"http://{slug}.localhost:{stack.port}/runs/{run_id}/" in mail
    assert new_context.page_errors == []


def test_an_editor_sets_up_alerts_on_the_flows_alerts_page(embedded_stack, page, new_context, shots):
    from playwright.sync_api import expect

    stack, slug = embedded_stack, "alert-page"
    owner, flow, login_url = failing_flow_with_an_alert(stack, slug)
    page.goto(login_url)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    page.goto(stack.url(f"{slug}.localhost", f"/flows/{flow['id']}/alerts/"))
    expect(page.get_by_test_id("alert-rule")).to_have_count(1)
    form = page.get_by_test_id("rule-form")
    form.locator("#id_kind").select_option("consecutive")
    expect(form.locator("#id_duration_seconds")).to_be_hidden()  # only what the chosen kind needs
    form.locator("#id_threshold").fill("0")
    form.get_by_test_id("save-rule").click()
    expect(page.get_by_test_id("error-threshold")).to_have_text("Enter a whole number from 1 to 100.")
    expect(form.locator("#id_kind")).to_have_value("consecutive")  # nothing typed is lost
    shots.take(page, "alerts-error")
    page.get_by_test_id("rule-form").locator("#id_threshold").fill("3")
    page.get_by_test_id("rule-form").locator("#id_slack_webhook_url").fill("https://hooks.slack.com/services/T1/B2/secretvalue")
    page.get_by_test_id("rule-form").locator("#id_deactivate_after").fill("5")
    page.get_by_test_id("save-rule").click()
    expect(page.get_by_test_id("alert-rule")).to_have_count(2)
    expect(page.get_by_test_id("alert-rules")).to_contain_text("After 3 failures in a row")
    expect(page.get_by_test_id("alert-rules")).to_contain_text("https://hooks.slack.com/…alue")
    assert "secretvalue" not in page.content()
    shots.take(page, "alerts-saved")
    assert new_context.page_errors == []


def test_the_bell_and_the_notifications_page_on_a_phone_in_korean(embedded_stack, new_context, shots):
    from playwright.sync_api import expect

    from tests.e2e.browser import no_horizontal_scroll

    stack, slug = embedded_stack, "alert-phone"
    owner, flow, login_url = failing_flow_with_an_alert(stack, slug)
    assert owner.post(flow["webhook_path"], json={"sku": "C-3"}).status_code == 202
    deadline = time.monotonic() + 30
    while owner.get("/api/v1/notifications").json()["count"] == 0:
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(0.3)

    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ko-KR").new_page()
    phone.goto(login_url)
    phone.get_by_test_id("language-select").select_option("ko")
    expect(phone.locator("html")).to_have_attribute("lang", "ko")
    expect(phone.get_by_test_id("bell-count")).to_have_text("1")
    phone.get_by_test_id("bell-button").click()
    expect(phone.get_by_test_id("bell-item").first).to_contain_text("“Stock sync” 플로우가 실패했습니다")
    sizes = no_horizontal_scroll(phone)
    shots.take(phone, "bell-phone-ko")
    assert sizes["innerWidth"] == 390 and sizes["scrollWidth"] <= 391, sizes

    phone.goto(stack.url(f"{slug}.localhost", "/notifications/"))
    expect(phone.get_by_test_id("notification")).to_have_count(1)
    expect(phone.get_by_test_id("notification")).to_contain_text("“Check stock” 단계")
    sizes = no_horizontal_scroll(phone)
    shots.take(phone, "notifications-phone-ko")
    assert sizes["innerWidth"] == 390 and sizes["scrollWidth"] <= 391, sizes
    phone.get_by_test_id("read-all").click()
    expect(phone.get_by_test_id("bell-count")).to_be_hidden()
    expect(phone.locator(".messages")).to_contain_text("모든 알림을 읽음으로 표시했습니다.")


def test_failures_in_a_row_through_a_waiting_webhook_switch_the_flow_off(embedded_stack):
    """The webhook's wait mode runs pure flows inline in the web process (history off here): alerts still see them."""
    stack, slug = embedded_stack, "alert-off"
    signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    owner = stack.http(f"{slug}.localhost")
    token = owner.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    owner.headers["Authorization"] = f"Bearer {token}"
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait"),
            node("check", "flow.stop_error", "Check", message="Order {{ json.body.id }} has no customer"),
        ],
        "edges": [edge("hook", "check")],
    }
    flow = owner.post("/api/v1/flows", json={"name": "Orders in", "graph": graph, "save_history": False}).json()
    assert owner.post(f"/api/v1/flows/{flow['id']}/publish", json={}).status_code == 201
    assert owner.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
    rule = {"kind": "consecutive", "threshold": 2, "deactivate_after": 2, "email": True}
    assert owner.post(f"/api/v1/flows/{flow['id']}/alert-rules", json=rule).status_code == 201

    for order in (1, 2):
        answer = owner.post(flow["webhook_path"], json={"id": order})
        assert answer.status_code >= 400, answer.text  # the caller hears it failed
    deadline = time.monotonic() + 30
    while owner.get(f"/api/v1/flows/{flow['id']}").json()["active"]:
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(0.3)
    titles = [n["title"] for n in owner.get("/api/v1/notifications").json()["results"]]
    assert sorted(titles) == sorted(["“Orders in” failed 2 times in a row", "Flow “Orders in” was switched off after 2 failures in a row"])

    def switched_off_mail() -> bool:
        mails = [path.read_text(errors="replace") for path in stack.mail_dir.glob("*.log")] if stack.mail_dir.exists() else []
        return any(f"To: owner@{slug}.example" in m and "Flow “Orders in” was switched off after 2 failures in a row" in m for m in mails)

    while not switched_off_mail():
        assert time.monotonic() < deadline + 30, stack.logs()
        time.sleep(0.3)
    assert owner.post(flow["webhook_path"], json={"id": 3}).status_code == 404  # switched off: triggers no longer start it
