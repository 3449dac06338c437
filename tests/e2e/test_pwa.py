"""The PWA in a real chromium against the real stack: installable manifest, a service worker that controls the page,
and saved flow pages that stay readable offline with a banner that says so."""

import json
import struct

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link, unique
from tests.flows.graphs import greeting_graph
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]


FETCH = """async (url) => {
    const response = await fetch(url);
    return {status: response.status, type: response.headers.get("content-type"), body: [...new Uint8Array(await response.arrayBuffer())]};
}"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def organization_with_a_flow(stack) -> tuple[str, str, int]:
    slug = unique("pwa")
    created = signup(stack, slug, f"owner@{slug}.example", PASSWORD, organization="Offline Trading")
    host = f"{slug}.localhost"
    with stack.http(host) as client:
        token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        flow = client.post("/api/v1/flows", json={"name": "Weekly sales report", "graph": greeting_graph()}).json()
        assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code == 201
        run = client.post(f"/api/v1/flows/{flow['id']}/run", json={}).json()
    return host, created["login_url"], flow["id"], run["id"]


def test_manifest_is_valid_linked_and_installable(embedded_stack, page):
    stack = embedded_stack
    host, login_url, _flow_id, _run_id = organization_with_a_flow(stack)
    sign_in_with_link(page, login_url)
    page.goto(stack.url(host, "/flows/"))
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href == "/manifest.webmanifest"
    assert page.locator('meta[name="theme-color"]').get_attribute("content") == "#2f6df6"
    # Fetched by the page itself: Playwright's own HTTP client cannot resolve *.localhost.
    response = page.evaluate(FETCH, href)
    assert response["status"] == 200 and response["type"] == "application/manifest+json"
    manifest = json.loads(bytes(response["body"]))
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/flows/") and manifest["name"]
    for icon in manifest["icons"]:
        image = page.evaluate(FETCH, icon["src"])
        assert image["status"] == 200 and image["type"] == "image/png"
        width, height = png_size(bytes(image["body"]))
        assert f"{width}x{height}" == icon["sizes"]

    assert page.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)") == stack.url(host, "/")
    cdp = page.context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["url"].endswith("/manifest.webmanifest") and parsed["errors"] == [], parsed["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles, where Chrome never offers installing; nothing else may be wrong.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors


def test_service_worker_keeps_flow_pages_readable_offline(embedded_stack, new_context, shots):
    stack = embedded_stack
    host, login_url, flow_id, run_id = organization_with_a_flow(stack)
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in_with_link(page, login_url)

    page.goto(stack.url(host, "/flows/"))
    state = page.evaluate("navigator.serviceWorker.ready.then(registration => registration.active.state)")
    assert state in ("activating", "activated")
    page.reload()  # the first page was loaded before the worker existed; from now on it controls every page
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == stack.url(host, "/sw.js")
    expect(page.get_by_test_id("offline-banner")).to_be_hidden()
    page.goto(stack.url(host, f"/flows/{flow_id}/"))
    expect(page.get_by_test_id("flow-name")).to_have_text("Weekly sales report")
    page.goto(stack.url(host, f"/runs/{run_id}/"))
    expect(page.locator("main")).to_contain_text("Weekly sales report")
    page.goto(stack.url(host, "/flows/"))
    saved = page.evaluate("caches.open('ezflow-pages').then(cache => cache.keys()).then(keys => keys.map(k => new URL(k.url).pathname))")
    assert {"/flows/", f"/flows/{flow_id}/", f"/runs/{run_id}/"} <= set(saved)
    assert not any(path.startswith("/api/") for path in saved)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("flow-list")).to_contain_text("Weekly sales report")
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("You are offline — showing the last saved copy.")
    assert page.evaluate("document.documentElement.hasAttribute('data-offline-copy')")
    shots.take(page, "offline-list")

    page.get_by_role("link", name="Weekly sales report").click()
    expect(page.get_by_test_id("flow-name")).to_have_text("Weekly sales report")
    expect(banner).to_be_visible()
    page.goto(stack.url(host, f"/runs/{run_id}/"))
    expect(page.locator("main")).to_contain_text("Weekly sales report")
    expect(banner).to_contain_text("You are offline — showing the last saved copy.")
    shots.take(page, "offline-run")
    page.goto(stack.url(host, f"/flows/{flow_id}/"))
    page.goto(stack.url(host, "/flows/987654/"))
    expect(page.get_by_test_id("offline-page")).to_contain_text("You are offline")
    shots.take(page, "offline-never-seen")

    page.go_back()
    expect(page.get_by_test_id("flow-name")).to_be_visible()
    context.set_offline(False)
    expect(banner).to_contain_text("You are back online.")
    page.get_by_role("button", name="Reload").click()
    expect(page.get_by_test_id("flow-name")).to_have_text("Weekly sales report")
    expect(banner).to_be_hidden()
    assert not page.evaluate("document.documentElement.hasAttribute('data-offline-copy')")

    page.get_by_test_id("nav-menu-button").click()  # on a phone the account links, Sign out among them, are behind Menu
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(stack.url(host, "/login/"))
    page.wait_for_function("caches.keys().then(names => !names.includes('ezflow-pages'))")
    assert new_context.page_errors == []
