"""The flow pages on a phone (390x844) against the real stack: list → overview → Run now → the run appears; on/off."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import no_horizontal_scroll, sign_in_with_link, unique
from tests.flows.graphs import greeting_graph, webhook_graph
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def organization_with_flows(stack, stem: str) -> tuple[str, str, dict]:
    """A new organization (over the API) with a published manual flow and a draft webhook flow; returns host, sign-in link, flow."""
    slug = unique(stem)
    created = signup(stack, slug, f"owner@{slug}.example", PASSWORD, organization=f"{stem.title()} Trading")
    host = f"{slug}.localhost"
    with stack.http(host) as client:
        token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        flow = client.post(
            "/api/v1/flows",
            json={"name": "Daily greeting for the sales team", "tags": ["sales", "daily"], "graph": greeting_graph()},
        ).json()
        assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "First version"}).status_code == 201
        client.post("/api/v1/flows", json={"name": "Shop orders (webhook)", "tags": ["shop"], "graph": webhook_graph()})
    return host, created["login_url"], flow


def test_phone_list_overview_run_now_and_switch_on_and_off(embedded_stack, new_context, shots):
    stack = embedded_stack
    host, login_url, flow = organization_with_flows(stack, "phoneflow")
    page = new_context(**PHONE).new_page()
    sign_in_with_link(page, login_url)

    page.goto(stack.url(host, "/flows/"))
    rows = page.get_by_test_id("flow-row")
    expect(rows).to_have_count(2)
    greeting = rows.filter(has_text="Daily greeting for the sales team")
    expect(greeting).to_contain_text("Version 1")
    expect(greeting).to_contain_text("#sales")
    expect(greeting).to_contain_text("Not run yet")
    layout = no_horizontal_scroll(page)
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    shots.take(page, "phone-list")

    page.get_by_label("Tag").select_option("shop")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Shop orders (webhook)")
    page.goto(stack.url(host, "/flows/"))

    page.get_by_role("link", name="Daily greeting for the sales team").click()
    page.wait_for_url(stack.url(host, f"/flows/{flow['id']}/"))
    expect(page.get_by_test_id("flow-name")).to_have_text("Daily greeting for the sales team")
    expect(page.get_by_test_id("versions")).to_contain_text("First version")
    expect(page.get_by_test_id("last-runs")).to_contain_text("No runs yet.")
    layout = no_horizontal_scroll(page)
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    shots.take(page, "phone-overview")

    page.get_by_test_id("run-now").click()
    expect(page.get_by_role("status").filter(has_text="started")).to_be_visible()
    latest = page.get_by_test_id("last-runs").locator("li[data-run-id]").first
    expect(latest).to_be_visible()
    run_id = latest.get_attribute("data-run-id")
    deadline = time.monotonic() + 30
    while "run-status-success" not in (latest.inner_html()) and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
        latest = page.locator(f'li[data-run-id="{run_id}"]')
    expect(latest.locator(".run-status-success")).to_have_text("Succeeded")
    shots.take(page, "phone-after-run")
    page.goto(stack.url(host, "/flows/"))
    expect(rows.filter(has_text="Daily greeting")).to_contain_text("Succeeded")
    expect(rows.filter(has_text="Daily greeting").locator(f'a[href="/runs/{run_id}/"]')).to_be_visible()

    page.goto(stack.url(host, f"/flows/{flow['id']}/"))
    expect(page.get_by_test_id("flow-state")).to_have_text("Off")
    page.get_by_test_id("activate").click()
    expect(page.get_by_test_id("flow-state")).to_have_text("On")
    expect(page.get_by_role("status").filter(has_text="is on")).to_be_visible()
    shots.take(page, "phone-on")
    page.get_by_test_id("deactivate").click()
    expect(page.get_by_test_id("flow-state")).to_have_text("Off")

    page.get_by_test_id("language-select").select_option("ko")
    expect(page.get_by_test_id("run-now")).to_have_text("지금 실행")
    expect(page.get_by_test_id("activate")).to_have_text("켜기")
    shots.take(page, "phone-overview-korean")
    assert new_context.page_errors == []


def test_draft_flow_explains_why_it_cannot_be_switched_on_and_copies_its_webhook(embedded_stack, new_context, shots):
    stack = embedded_stack
    host, login_url, _flow = organization_with_flows(stack, "draftflow")
    context = new_context(**PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url(host, "").rstrip("/"))
    page = context.new_page()
    sign_in_with_link(page, login_url)
    page.goto(stack.url(host, "/flows/"))
    page.get_by_role("link", name="Shop orders (webhook)").click()

    url_box = page.get_by_test_id("webhook-url")
    expect(url_box).to_have_value(f"http://{host}:{stack.port}/webhook/" + url_box.input_value().rsplit("/", 1)[1])
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url_box.input_value()

    page.get_by_test_id("activate").click()
    expect(page.get_by_role("status").filter(has_text="Publish the flow before turning it on.")).to_be_visible()
    expect(page.get_by_test_id("flow-state")).to_have_text("Off")
    page.get_by_test_id("run-now").click()
    expect(page.get_by_role("status").filter(has_text="Publish the flow before running it")).to_be_visible()
    shots.take(page, "phone-draft-refusals")
    assert new_context.page_errors == []
