"""Issue 17, the editor habits n8n users expect (second part), in a real browser against the real stack.

The flow's runs inside the editor: a side list of recent runs (newest first, live, test or production), opening a
failed production run on the canvas (the failed step selected, in sight, with its error in words), copying its input
into the editor and testing again with it; a failed test run brings its step into sight. The side panel never hides
the step it edits, and the larger expression editor (fields to click, live preview) — in Korean.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import dates_on_page, sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor, saved, select
from tests.flows.graphs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.stack]

ORDER_GRAPH = {
    "nodes": [
        {**node("start", "trigger.manual", "Start"), "position": [0, 0]},
        {**node("calc", "data.set", "Calculate", fields=[{"name": "double", "value": "{{ json.order.total * 2 }}"}]), "position": [300, 0]},
        {**node("done", "data.set", "Done", fields=[{"name": "ok", "value": "yes"}]), "position": [600, 0]},
    ],
    "edges": [edge("start", "calc"), edge("calc", "done")],
}


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def visible_canvas(page: Page) -> dict:
    """The part of the canvas no side panel covers."""
    canvas = page.get_by_test_id("canvas").bounding_box()
    panel = page.get_by_test_id("panel")
    if panel.count():
        box = panel.bounding_box()
        if box["x"] < canvas["x"] + canvas["width"]:
            canvas = {**canvas, "width": box["x"] - canvas["x"]}
    return canvas


def production_run(org: Organization, flow_id: int, items: list) -> dict:
    response = org.api.post(f"/api/v1/flows/{flow_id}/run", json={"items": items})
    assert response.status_code == 202, response.text
    return response.json()


def wait_finished(org: Organization, run_id: int, page: Page) -> dict:
    for _ in range(150):
        run = org.api.get(f"/api/v1/runs/{run_id}").json()
        if run["status"] in ("success", "failed", "cancelled"):
            return run
        page.wait_for_timeout(100)
    raise AssertionError(f"run {run_id} did not finish")


def test_runs_inside_the_editor_debug_view_copy_to_editor_and_the_failed_step(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "runs-in-editor")
    # Another flow's run first, so the organization-wide run ids differ from this flow's own run numbers.
    other = org.flow("Other", ORDER_GRAPH)
    assert org.api.post(f"/api/v1/flows/{other['id']}/publish", json={"message": "v1"}).status_code in (200, 201)
    production_run(org, other["id"], [{"order": {"total": 1}}])
    flow = org.flow("Orders", ORDER_GRAPH)
    assert org.api.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code in (200, 201)
    good = production_run(org, flow["id"], [{"order": {"total": 21}}])
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(page, org.login_url)
    wait_finished(org, good["id"], page)
    bad = production_run(org, flow["id"], [{"name": "Kim", "amount": 12000}])
    wait_finished(org, bad["id"], page)
    assert (good["number"], bad["number"]) == (1, 2) and bad["id"] != bad["number"]
    open_editor(page, org, flow["id"])

    # The side list: newest first, status, production.
    page.get_by_test_id("executions-toggle").click()
    listed = page.get_by_test_id("executions").locator("[data-testid^=execution-]")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_have_attribute("data-testid", f"execution-{bad['id']}")
    expect(listed.nth(0)).to_contain_text("Failed")
    expect(listed.nth(0)).to_contain_text("Production")
    expect(listed.nth(0)).to_contain_text(f"#{bad['number']}")  # the flow's own number, as on the run pages
    expect(listed.nth(1)).to_contain_text("Succeeded")
    expect(listed.nth(1)).to_contain_text("#1")

    # A new run appears live, without reloading.
    third = production_run(org, flow["id"], [{"order": {"total": 1}}])
    expect(page.get_by_test_id(f"execution-{third['id']}")).to_be_visible(timeout=10_000)
    expect(listed.nth(0)).to_have_attribute("data-testid", f"execution-{third['id']}")
    expect(page.get_by_test_id(f"execution-{third['id']}")).to_have_attribute("data-status", "success", timeout=20_000)
    shots.take(page, "runs-01-side-list")
    dates = dates_on_page(page)
    assert len(dates["dates"]) >= 3 and dates["wrong"] == [], dates  # the editor writes dates as the pages do

    # Opening the failed run: its data on the canvas, the failed step selected, in sight, its error in words.
    page.get_by_test_id(f"execution-{bad['id']}").click()
    banner = page.get_by_test_id("debug-banner")
    expect(banner).to_contain_text(f"Showing run #{bad['number']} of")
    expect(banner).to_contain_text("Production")
    expect(page.get_by_test_id("node-Calculate")).to_have_attribute("data-status", "error")
    expect(page.get_by_test_id("node-Start")).to_have_attribute("data-status", "success")
    expect(page.get_by_test_id("node-name")).to_have_value("Calculate")
    error = page.get_by_test_id("node-error")
    expect(error).to_contain_text("order")
    expect(error).not_to_contain_text("dict object")
    expect(page.get_by_test_id("data-input")).to_contain_text("Kim")
    page.wait_for_timeout(400)  # the canvas moves in 250 ms
    assert inside(page.get_by_test_id("node-Calculate").bounding_box(), visible_canvas(page))
    shots.take(page, "runs-02-failed-run-opened")

    # Back to the draft clears the run's marks; opening it again and copying it into the editor pins its input.
    page.get_by_test_id("debug-leave").click()
    expect(page.get_by_test_id("debug-banner")).to_have_count(0)
    expect(page.get_by_test_id("node-Calculate")).to_have_attribute("data-status", "")
    page.get_by_test_id(f"execution-{bad['id']}").click()
    expect(page.get_by_test_id("debug-banner")).to_be_visible()
    page.get_by_test_id("debug-copy").click()
    expect(page.get_by_test_id("debug-banner")).to_have_count(0)
    saved(page)
    pinned = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]["pinned"]
    assert pinned == {"start": [{"name": "Kim", "amount": 12000}]}

    # Move the failed step out of sight and close its panel; the test run with the same input fails at it again and
    # the canvas brings it back into view, with its panel.
    page.get_by_test_id("panel").get_by_role("button", name="Close").click()
    pane = page.get_by_test_id("canvas").locator(".react-flow__pane")
    box = pane.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + 40, steps=8)
    page.mouse.up()
    page.mouse.move(box["x"] + 10, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + 40, steps=8)
    page.mouse.up()
    assert not inside(page.get_by_test_id("node-Calculate").bounding_box(), page.get_by_test_id("canvas").bounding_box())
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-Calculate")).to_have_attribute("data-status", "error", timeout=30_000)
    expect(page.get_by_test_id("node-name")).to_have_value("Calculate")
    expect(page.get_by_test_id("node-error")).to_contain_text("order")
    page.wait_for_timeout(600)
    assert inside(page.get_by_test_id("node-Calculate").bounding_box(), visible_canvas(page))
    # The test run is in the list, marked as a test.
    test_run = page.get_by_test_id("executions").locator("[data-testid^=execution-]").nth(0)
    expect(test_run).to_contain_text("Test", timeout=10_000)
    expect(test_run).to_contain_text("Failed")
    shots.take(page, "runs-03-failed-test-run-in-sight")

    # An opened run shows what its steps received, not the draft's pinned test data.
    page.get_by_test_id(f"execution-{third['id']}").click()
    expect(page.get_by_test_id("debug-banner")).to_contain_text(f"#{third['number']} of")
    expect(page.get_by_test_id("node-Calculate")).to_have_attribute("data-status", "success")
    select(page, "Calculate")
    expect(page.get_by_test_id("data-input")).to_contain_text("total")
    expect(page.get_by_test_id("data-input")).not_to_contain_text("Kim")
    expect(page.get_by_test_id("data-output")).to_contain_text("2")

    # A run page's "open in the editor" link: ?run=<id> opens that run in the debug view at once.
    page.goto(org.editor_url(flow["id"]) + f"?run={bad['id']}")
    expect(page.get_by_test_id("debug-banner")).to_contain_text(f"#{bad['number']} of")
    expect(page.get_by_test_id(f"execution-{bad['id']}")).to_have_attribute("aria-current", "true")
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("run-info")).to_have_count(0)  # the last test run (#4, read on load) did not replace it
    expect(page.get_by_test_id("debug-banner")).to_be_visible()
    expect(page.get_by_test_id("node-name")).to_have_value("Calculate")
    expect(page.get_by_test_id("node-error")).to_contain_text("order")
    page.wait_for_timeout(400)
    assert inside(page.get_by_test_id("node-Calculate").bounding_box(), visible_canvas(page))
    shots.take(page, "runs-04-opened-from-a-link")
    assert new_context.page_errors == []


PANEL_GRAPH = {
    "nodes": [
        {**node("start", "trigger.manual", "Start"), "position": [0, 0]},
        {**node("greet", "data.set", "Greeting", fields=[{"name": "text", "value": "Hello "}]), "position": [1100, 0]},
    ],
    "edges": [edge("start", "greet")],
    "pinned": {"start": [{"customer": {"name": "Kim", "city": "Seoul"}}]},
}


def test_the_panel_keeps_its_step_in_sight_and_the_larger_expression_editor_in_korean(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "expr-editor")
    flow = org.flow("Greeting", PANEL_GRAPH)
    page = new_context(viewport=DESKTOP, locale="ko-KR").new_page()
    sign_in_with_link(page, org.login_url)
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    open_editor(page, org, flow["id"])
    expect(page.get_by_test_id("executions-toggle")).to_contain_text("실행 기록")
    # Undo/Redo in words that do not clash with running a flow (실행).
    expect(page.get_by_test_id("undo")).to_have_attribute("title", re.compile("^되돌리기"))
    expect(page.get_by_test_id("redo")).to_have_attribute("title", re.compile("^다시 하기"))

    # The step sits at the right edge, where the panel opens: the canvas moves it beside the panel.
    step = page.get_by_test_id("node-Greeting")
    expect(step).to_be_visible()
    page.wait_for_timeout(300)
    before = step.bounding_box()
    canvas = page.get_by_test_id("canvas").bounding_box()
    assert before["x"] + before["width"] > canvas["x"] + canvas["width"] - 380, (before, canvas)  # would be hidden
    select(page, "Greeting")
    page.wait_for_timeout(500)
    assert inside(step.bounding_box(), visible_canvas(page)), (step.bounding_box(), visible_canvas(page))
    shots.take(page, "expr-01-step-beside-the-panel")

    # The larger expression editor: fields to click, suggestions, the live preview for the pinned test data.
    page.get_by_test_id("param-fields-0-value-expand").click()
    dialog = page.get_by_test_id("expression-dialog")
    expect(dialog).to_contain_text("표현식 편집")
    expect(dialog).to_contain_text("이 단계의 입력")
    big = page.get_by_test_id("param-fields-0-value-big")
    expect(big).to_be_focused()
    dialog.get_by_test_id("expression-field-json.customer.name").click()
    expect(big).to_have_value("Hello {{ json.customer.name }}")
    expect(page.get_by_test_id("param-fields-0-value-big-preview")).to_contain_text("Hello Kim")
    big.press("End")
    big.press_sequentially(" from {{ ci")
    suggestions = dialog.get_by_test_id("expression-suggestions")
    expect(suggestions.get_by_role("option", name="json.customer.city", exact=True)).to_be_visible()
    suggestions.get_by_role("option", name="json.customer.city", exact=True).click()
    expect(big).to_have_value("Hello {{ json.customer.name }} from {{ json.customer.city }}")
    expect(page.get_by_test_id("param-fields-0-value-big-preview")).to_contain_text("Hello Kim from Seoul")
    shots.take(page, "expr-02-larger-editor-ko")
    page.get_by_test_id("expression-dialog-done").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("param-fields-0-value")).to_have_value("Hello {{ json.customer.name }} from {{ json.customer.city }}")
    saved(page)
    stored = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]
    fields = next(n for n in stored["nodes"] if n["id"] == "greet")["parameters"]["fields"]
    assert fields == [{"name": "text", "value": "Hello {{ json.customer.name }} from {{ json.customer.city }}"}]

    # The run list in Korean.
    page.get_by_test_id("executions-toggle").click()
    expect(page.get_by_test_id("executions")).to_contain_text("아직 실행 기록이 없습니다")
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("executions").locator("[data-testid^=execution-]").nth(0)).to_contain_text("테스트", timeout=15_000)
    expect(page.get_by_test_id("executions").locator("[data-testid^=execution-]").nth(0)).to_contain_text("성공", timeout=30_000)
    shots.take(page, "expr-03-runs-ko")
    assert new_context.page_errors == []


def test_runs_and_the_larger_expression_editor_on_a_phone_in_korean(embedded_stack, new_context, shots):
    from tests.e2e.browser import no_horizontal_scroll

    org = Organization(embedded_stack, "runs-phone")
    flow = org.flow("Phone", PANEL_GRAPH)
    page = new_context(viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True, has_touch=True).new_page()
    sign_in_with_link(page, org.login_url)
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    open_editor(page, org, flow["id"])
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-Greeting")).to_have_attribute("data-status", "success", timeout=30_000)

    page.get_by_test_id("executions-toggle").click()
    runs = page.get_by_test_id("executions")
    expect(runs.locator("[data-testid^=execution-]").nth(0)).to_contain_text("테스트")
    box = runs.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    overflow = no_horizontal_scroll(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
    runs.locator("[data-testid^=execution-]").nth(0).click()
    expect(page.get_by_test_id("debug-banner")).to_contain_text("실행 #")
    shots.take(page, "phone-runs-ko")
    page.get_by_test_id("debug-leave").click()
    runs.get_by_role("button", name="닫기").click()

    select(page, "Greeting")
    page.get_by_test_id("param-fields-0-value-expand").click()
    dialog = page.get_by_test_id("expression-dialog")
    expect(dialog).to_contain_text("표현식 편집")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    dialog.get_by_test_id("expression-field-json.customer.name").click()
    expect(page.get_by_test_id("param-fields-0-value-big-preview")).to_contain_text("Hello Kim")
    shots.take(page, "phone-expression-ko")
    assert new_context.page_errors == []
