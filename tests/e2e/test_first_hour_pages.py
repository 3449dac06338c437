"""Issue 17's "done when" walkthrough for the pages, in a real browser (Debian chromium through Playwright).

English, desktop: sign-up → the dashboard's first-flow path (0 of 3) → pick a template → its diagram fits the box →
install → test green in the editor without typing any JSON → the path says 2 of 3 → publish and turn on → the path
is done → a real webhook call appears on the flow page's last runs without a reload (#2, the test was #1) → the run
page names it "Run #2" → monitoring counts the production run and not the test.
Korean, phone: the compact header (Menu opens the account links), the first-flow path in Korean, the template
diagram drawn top to bottom inside its box, run and member tables with one-line headers and no sideways page scroll.

Also: the landing page's link to the marketplace, one date format on every page visited (en and ko), the run page
naming steps by name and type label and opening the run in the editor, no billing talk, the Korean platform admin.
The editor's own habits are in test_editor_runs.py and test_editor_panels.py; the audit is docs/first-hour.md.
Screenshots are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Account, dates_on_page, no_horizontal_scroll, sign_in_with_link, signup_in_browser, unique
from tests.support.data import PASSWORD
from tests.support.stack import ROOT, signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

TEMPLATE = json.loads((Path(__file__).parents[2] / "apps/marketplace/content/csv-contact-list-cleanup.json").read_text())
STEP_NAMES = [node["name"] for node in TEMPLATE["graph"]["nodes"]]
FIRST_LINE = {"brand": ".brand", "organization": ".org-name", "bell": ".bell", "language": ".lang-switch", "menu": ".nav-toggle-button"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def shipped_templates(embedded_stack):
    """The templates EZFlow ships, published in the stack's marketplace as `make run` (ezflow_setup --demo) does."""
    command = [sys.executable, "manage.py", "marketplace_load_templates", TEMPLATE["slug"], "expense-approval-request"]
    subprocess.run(command, cwd=ROOT, env=embedded_stack.env(), check=True, capture_output=True)


def step_states(page) -> dict:
    steps = page.get_by_test_id("first-step")
    return {steps.nth(i).get_attribute("data-step"): steps.nth(i).get_attribute("data-state") for i in range(steps.count())}


def drawing_fits(page) -> dict:
    """The visible template drawing against its box: it must fit (or scroll inside the box, never the page) and
    never be drawn smaller than the readable minimum."""
    return page.evaluate(
        """() => {
            const box = document.querySelector('[data-testid="graph-preview"]');
            const svg = [...box.querySelectorAll('svg.mp-graph')].find(s => getComputedStyle(s).display !== 'none');
            const natural = svg.viewBox.baseVal.width;
            const drawn = svg.getBoundingClientRect().width;
            return {boxWidth: box.clientWidth, drawn, natural, scale: drawn / natural, scrolls: box.scrollWidth > box.clientWidth + 1,
                    kind: svg.getAttribute('class')};
        }"""
    )


def test_a_new_organization_follows_the_first_flow_path_to_a_live_webhook_flow(embedded_stack, shipped_templates, new_context, shots):
    stack = embedded_stack
    slug = unique("firsthour")
    account = Account(organization=f"First Hour {slug[-8:]}", slug=slug, email=f"owner@{slug}.example", password=PASSWORD)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30_000)  # creating an organization migrates its schema: slow on a busy machine
    dates_seen = []

    def one_date_format(where: str) -> None:
        found = dates_on_page(page)
        assert found["wrong"] == [], (where, found)
        dates_seen.extend(found["dates"])

    # The public landing page leads to the marketplace, readable before signing up.
    page.goto(stack.url("localhost", "/"))
    page.get_by_test_id("cta-marketplace").click()
    page.wait_for_url(stack.url("localhost", "/marketplace/"))
    expect(page.get_by_test_id("template-card").filter(has_text=TEMPLATE["title"]["en"])).to_be_visible()
    shots.take(page, "00-landing-to-marketplace")
    signup_in_browser(page, stack, account)

    # A brand-new organization: the path at its start and three ways to begin.
    expect(page.get_by_test_id("first-steps-progress")).to_have_text("0 of 3 done")
    assert step_states(page) == {"create": "current", "test": "todo", "turn_on": "todo"}
    expect(page.get_by_test_id("start-choice")).to_have_count(3)
    expect(page.get_by_test_id("assistant-box")).to_be_visible()
    shots.take(page, "01-new-organization-dashboard")

    page.get_by_test_id("start-choice").filter(has_text="Pick a template").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/marketplace/$"))
    page.get_by_test_id("search-input").fill("CSV")
    page.get_by_test_id("search-input").press("Enter")
    page.get_by_test_id("template-card").filter(has_text=TEMPLATE["title"]["en"]).get_by_test_id("template-title").click()
    expect(page.get_by_test_id("template-heading")).to_have_text(TEMPLATE["title"]["en"])
    fit = drawing_fits(page)
    assert fit["drawn"] <= fit["boxWidth"] + 1 and not fit["scrolls"], fit
    assert fit["scale"] >= 0.55 - 0.01, fit
    expect(page.get_by_test_id("graph-preview").get_by_test_id("preview-node")).to_have_count(len(STEP_NAMES))
    shots.take(page, "02-template-diagram-fits")
    one_date_format("template page")

    page.get_by_test_id("use-template").click()
    page.get_by_test_id("install-button").click()
    expect(page.get_by_test_id("installed")).to_be_visible()
    page.get_by_test_id("open-editor").click()
    expect(page.get_by_test_id("editor")).to_be_visible()
    flow_id = int(re.search(r"/flows/(\d+)/edit/", page.url).group(1))

    # Tested green with the template's own sample request: nobody typed JSON.
    page.get_by_test_id("run-test").click()
    for name in STEP_NAMES:
        expect(page.get_by_test_id(f"node-{name}")).to_have_attribute("data-status", "success", timeout=30_000)
    shots.take(page, "03-template-tested-green")

    page.goto(stack.url(account.host, "/"))
    expect(page.get_by_test_id("first-steps-progress")).to_have_text("2 of 3 done")
    assert step_states(page) == {"create": "done", "test": "done", "turn_on": "current"}
    page.get_by_test_id("first-step-link").click()
    page.wait_for_url(stack.url(account.host, f"/flows/{flow_id}/"))
    shots.take(page, "04-path-two-of-three")

    page.goto(stack.url(account.host, f"/flows/{flow_id}/edit/"))
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-message").fill("first version")
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("toast").first).to_be_visible()
    page.goto(stack.url(account.host, f"/flows/{flow_id}/"))
    page.get_by_test_id("activate").click()
    expect(page.get_by_test_id("flow-state")).to_have_text("On")
    runs = page.get_by_test_id("last-runs").get_by_test_id("flow-run")
    expect(runs).to_have_count(1)
    expect(runs.first).to_contain_text("#1")
    expect(runs.first).to_contain_text("not in monitoring")
    expect(page.get_by_test_id("last-runs").locator("[data-live-status]")).to_have_attribute("data-state", "live")

    # A real call to the webhook: the flow page shows it without a reload.
    page.evaluate("window.__notReloaded = true")
    webhook = page.get_by_test_id("webhook-url").input_value()
    path = webhook.split(f":{stack.port}", 1)[1]
    answer = stack.http(account.host).post(path, json=TEMPLATE["sample_input"][0]["body"])
    assert answer.status_code in (200, 202), answer.text
    expect(runs).to_have_count(2, timeout=15_000)
    newest = runs.first
    expect(newest).to_contain_text("#2")
    expect(newest.locator(".run-status-success")).to_be_visible(timeout=15_000)
    assert newest.get_attribute("data-test-run") is None
    assert page.evaluate("window.__notReloaded") is True  # pushed over the WebSocket, not reloaded
    shots.take(page, "05-webhook-run-appears-live")
    one_date_format("flow page")

    newest.get_by_role("link").click()
    expect(page.get_by_test_id("run-title")).to_contain_text("Run #2")
    expect(page.get_by_test_id("test-badge")).to_have_count(0)
    one_date_format("run page")
    # Words instead of internals: steps by their names, step types by their labels.
    main = page.locator("main")
    for name in STEP_NAMES:
        expect(main).to_contain_text(name)
    for internal in {n["type"] for n in TEMPLATE["graph"]["nodes"]}:
        expect(main).not_to_contain_text(internal)
    expect(page.get_by_test_id("step-type").first).not_to_be_empty()
    # The run page links to its flow and opens this very run in the editor.
    expect(page.get_by_test_id("run-flow-link")).to_have_attribute("href", f"/flows/{flow_id}/")
    run_page = page.url
    page.get_by_test_id("run-editor-link").click()
    expect(page.get_by_test_id("debug-banner")).to_contain_text("Showing run #2 of")
    shots.take(page, "05b-run-opened-in-the-editor")
    page.goto(run_page)
    page.goto(stack.url(account.host, "/runs/"))
    one_date_format("run list")

    page.goto(stack.url(account.host, "/monitoring/"))
    expect(page.get_by_test_id("stat-total")).to_have_text("1")  # the editor's test is not counted
    page.get_by_test_id("include-tests").check()
    page.wait_for_url(re.compile(r"tests=1"))
    expect(page.get_by_test_id("stat-total")).to_have_text("2")
    shots.take(page, "06-monitoring-without-tests")

    page.goto(stack.url(account.host, "/"))
    expect(page.get_by_test_id("first-steps")).to_have_count(0)  # the whole path is done
    expect(page.locator("main")).not_to_contain_text(re.compile(r"billing|invoice|결제", re.IGNORECASE))  # no billing talk
    expect(page.get_by_test_id("dashboard-runs")).to_contain_text(f"{TEMPLATE['title']['en']} #2")
    expect(page.get_by_test_id("dashboard-failures")).to_contain_text("0 of 1 run failed")
    shots.take(page, "07-path-done")
    one_date_format("dashboard")
    assert len(dates_seen) >= 6, dates_seen  # one format everywhere: pages, version, marketplace, runs
    assert new_context.page_errors == []


def test_korean_on_a_phone_compact_header_path_diagram_and_tables(embedded_stack, shipped_templates, new_context, shots):
    stack = embedded_stack
    slug = unique("phoneko")
    created = signup(stack, slug, f"owner@{slug}.example", PASSWORD, organization=f"모바일 상회 {slug[-6:]}")
    host = f"{slug}.localhost"
    page = new_context(locale="ko-KR", **PHONE).new_page()
    sign_in_with_link(page, created["login_url"])
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    # The header: one line of brand, organization, language and Menu, then the main links; the rest behind Menu.
    header = page.locator(".topbar").bounding_box()
    assert header["height"] < 844 * 0.2, header  # it took about 40% of the first screen before
    expect(page.locator(".nav-main").get_by_role("link", name="플로우")).to_be_visible()
    account_link = page.locator(".nav-account").get_by_role("link", name="API 토큰")
    expect(account_link).to_be_hidden()
    boxes = {name: page.locator(selector).first.bounding_box() for name, selector in FIRST_LINE.items()}
    middles = {name: box["y"] + box["height"] / 2 for name, box in boxes.items()}
    assert max(middles.values()) - min(middles.values()) < 12, boxes  # one line
    shots.take(page, "01-phone-header-closed")
    page.get_by_test_id("nav-menu-button").click()
    expect(account_link).to_be_visible()
    shots.take(page, "02-phone-menu-open")
    page.get_by_test_id("nav-menu-button").click()
    expect(account_link).to_be_hidden()

    expect(page.get_by_test_id("first-steps-progress")).to_have_text("3단계 중 0단계 완료")
    expect(page.get_by_test_id("first-steps")).to_contain_text("첫 플로우 만들기")
    expect(page.get_by_test_id("start-choices")).to_contain_text("템플릿 고르기")
    layout = no_horizontal_scroll(page)
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, layout
    shots.take(page, "03-phone-dashboard-ko")

    # A template's diagram: top to bottom inside its box on a phone, at a readable size.
    page.goto(stack.url(host, "/marketplace/?q=경비"))
    page.get_by_test_id("template-title").first.click()
    expect(page.get_by_test_id("template-heading")).to_be_visible()
    fit = drawing_fits(page)
    assert fit["drawn"] <= fit["boxWidth"] + 1 and fit["scale"] >= 0.55 - 0.01, fit
    assert "mp-graph-down" in fit["kind"] or "mp-graph-only" in fit["kind"], fit
    layout = no_horizontal_scroll(page)
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, layout
    shots.take(page, "04-phone-template-diagram")

    # Tables: headers on one line; a wide table scrolls inside its box, not the page.
    for path in ("/runs/", "/members/"):
        page.goto(stack.url(host, path))
        heights = page.evaluate(
            """() => [...document.querySelectorAll('.table th')].map(th => {
                const line = parseFloat(getComputedStyle(th).lineHeight) || 20;
                const padding = parseFloat(getComputedStyle(th).paddingTop) + parseFloat(getComputedStyle(th).paddingBottom);
                return {text: th.textContent.trim(), lines: Math.round((th.getBoundingClientRect().height - padding) / line)};
            })"""
        )
        assert heights and all(h["lines"] <= 1 for h in heights), (path, heights)
        assert dates_on_page(page)["wrong"] == [], path  # the same date format in Korean
        layout = no_horizontal_scroll(page)
        assert layout["scrollWidth"] <= layout["innerWidth"] + 1, (path, layout)
        shots.take(page, f"05-phone-table{path.replace('/', '-')}")

    # The platform admin in Korean: the sign-in protection labels too ("Access attempts" comes from django-axes).
    staff_email = f"staff@{slug}.example"
    create_staff = (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user(email={staff_email!r}, password={PASSWORD!r}, is_staff=True, is_superuser=True)"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", create_staff], cwd=ROOT, env=stack.env(), check=True, capture_output=True)
    admin = new_context(locale="ko-KR", **PHONE).new_page()
    admin.goto(stack.url("localhost", "/admin/login/"))
    admin.locator("#id_username").fill(staff_email)
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("#id_password").press("Enter")
    expect(admin.locator("#content")).to_contain_text("접근 시도")
    expect(admin.locator("#content")).to_contain_text("로그인 보호")
    for english in ("Access attempts", "Access logs", "Access failures", "Axes"):
        expect(admin.locator("#content")).not_to_contain_text(english)
    shots.take(admin, "06-phone-admin-ko")
    assert new_context.page_errors == []
