"""Issue 17, the editor habits n8n users expect, in a real browser against the real stack.

A person tests a flow whose IF sends every item one way: only that branch is drawn as done. In the next step's
panel they switch the input between table, JSON and schema, drag a field from it onto a parameter (its expression is
put in), pin test data and see it as the output at once. Fields that do not apply stay hidden: the webhook's header
and secret with "no check", the HTTP request's pagination fields with pagination off.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor, saved, select
from tests.flows.graphs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.stack]

DONE = re.compile(r"\bdone\b")
ORDER = {"customer": {"email": "kim@example.com", "name": "Kim"}, "total": 50}

BRANCH_GRAPH = {
    "nodes": [
        {**node("start", "trigger.manual", "Start"), "position": [0, 0]},
        {
            **node("if", "flow.if", "Big order?", conditions=[{"left": "{{ json.total }}", "operator": "gt", "right": "100"}]),
            "position": [280, 0],
        },
        {**node("big", "data.set", "Call the customer", fields=[{"name": "call", "value": "yes"}]), "position": [560, -120]},
        {
            **node("small", "data.set", "Send a mail", fields=[{"name": "to", "value": ""}, {"name": "subject", "value": "Total: "}]),
            "position": [560, 120],
        },
    ],
    "edges": [edge("start", "if"), edge("if", "big", "true"), edge("if", "small", "false")],
    "pinned": {"start": [ORDER]},
}

FORM_GRAPH = {
    "nodes": [
        {**node("hook", "trigger.webhook", "Webhook"), "position": [0, 0]},
        {**node("http", "net.http", "Fetch", url="http://127.0.0.1:9/items"), "position": [300, 0]},
    ],
    "edges": [edge("hook", "http")],
}


def test_branches_panel_views_dragging_fields_and_pinned_output(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "panels")
    flow = org.flow("Orders by size", BRANCH_GRAPH)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])

    # The order is small: the IF sends it to "false" only; the "true" branch is not drawn as done.
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-Send a mail")).to_have_attribute("data-status", "success", timeout=30_000)
    expect(page.get_by_test_id("run-info")).to_contain_text("succeeded")
    taken = page.get_by_test_id("rf__edge-if:false->small:main")
    untaken = page.get_by_test_id("rf__edge-if:true->big:main")
    expect(taken).to_have_class(DONE)
    expect(untaken).not_to_have_class(DONE)
    expect(page.get_by_test_id("node-Call the customer")).to_have_attribute("data-status", "")
    shots.take(page, "panels-01-only-the-taken-branch-is-done")

    # The input panel in its three views.
    select(page, "Send a mail")
    data_in = page.get_by_test_id("data-input")
    expect(page.get_by_test_id("data-input-column-customer")).to_be_visible()
    page.get_by_test_id("data-input-view-json").click()
    expect(page.get_by_test_id("data-input-json")).to_contain_text('"email": "kim@example.com"')
    page.get_by_test_id("data-input-view-schema").click()
    schema = page.get_by_test_id("data-input-schema")
    expect(schema).to_contain_text("email")
    expect(schema).to_contain_text("kim@example.com")
    expect(data_in.get_by_role("tab", name="Schema")).to_have_attribute("aria-selected", "true")

    # A nested field dragged from the schema onto the empty "value" of the first row; a column dragged from the table
    # to the end of "Total: " in the second.
    to_value = page.get_by_test_id("param-fields-0-value")
    page.get_by_test_id("data-input-field-json.customer.email").drag_to(to_value)
    expect(to_value).to_have_value("{{ json.customer.email }}")
    page.get_by_test_id("data-input-view-table").click()
    subject = page.get_by_test_id("param-fields-1-value")
    box = subject.bounding_box()
    page.get_by_test_id("data-input-column-total").drag_to(subject, target_position={"x": box["width"] - 6, "y": box["height"] / 2})
    expect(subject).to_have_value("Total: {{ json.total }}")
    expect(page.get_by_test_id("param-fields-1-value-preview")).to_contain_text("Total: 50")
    shots.take(page, "panels-02-fields-dragged-from-the-input")
    saved(page)
    stored = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]
    fields = next(n for n in stored["nodes"] if n["id"] == "small")["parameters"]["fields"]
    assert fields == [{"name": "to", "value": "{{ json.customer.email }}"}, {"name": "subject", "value": "Total: {{ json.total }}"}]

    # Pinned data replaces the last output on screen at once, without another test run.
    expect(page.get_by_test_id("data-output")).to_contain_text("kim@example.com")
    page.locator(".ez-pin summary").click()
    page.get_by_test_id("pin-text").fill('[{"to": "pinned@example.com"}, {"to": "second@example.com"}]')
    page.get_by_test_id("pin-save").click()
    output = page.get_by_test_id("data-output")
    expect(output).to_contain_text("pinned@example.com")
    expect(output).to_contain_text("2 items")
    expect(output).not_to_contain_text("kim@example.com")
    shots.take(page, "panels-03-pinned-shown-at-once")

    # Suggestions for the path at the caret anywhere inside {{ }}, not only right after the braces.
    to_value.fill("{{ json.total +  }}")
    to_value.press("End")
    for _ in range(3):
        to_value.press("ArrowLeft")
    suggestions = page.get_by_test_id("expression-suggestions")
    expect(suggestions).to_be_visible()
    to_value.press_sequentially("cust")
    expect(suggestions.get_by_role("option", name="json.customer.name", exact=True)).to_be_visible()
    expect(suggestions).not_to_contain_text("json.total")  # filtered by the path at the caret only
    suggestions.get_by_role("option", name="json.customer.name", exact=True).click()
    expect(to_value).to_have_value("{{ json.total + json.customer.name }}")
    # The insert-field list opened with its button stays open while the field has the focus.
    page.get_by_test_id("param-fields-0-value-fields").click()
    page.wait_for_timeout(600)  # the list used to close 150 ms after opening
    expect(suggestions).to_be_visible()
    expect(to_value).to_be_focused()
    shots.take(page, "panels-04-suggestions-inside-an-expression")
    assert new_context.page_errors == []


def test_fields_that_do_not_apply_are_hidden(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "hidden")
    flow = org.flow("Hook and fetch", FORM_GRAPH)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])

    select(page, "Webhook")
    expect(page.get_by_test_id("param-auth")).to_have_value("none")
    expect(page.get_by_test_id("param-auth_header")).to_have_count(0)
    expect(page.get_by_test_id("param-secret")).to_have_count(0)
    page.get_by_test_id("param-auth").select_option("header")
    expect(page.get_by_test_id("param-auth_header")).to_be_visible()
    expect(page.get_by_test_id("param-secret")).to_be_visible()
    page.get_by_test_id("param-auth").select_option("hmac")
    expect(page.get_by_test_id("param-auth_header")).to_have_count(0)
    expect(page.get_by_test_id("param-secret")).to_be_visible()
    shots.take(page, "hidden-01-webhook-hmac")

    select(page, "Fetch")
    for name in ("next_url_field", "page_param", "results_field", "max_pages"):
        expect(page.get_by_test_id(f"param-{name}")).to_have_count(0)
    page.get_by_test_id("param-pagination").select_option("page_param")
    for name in ("page_param", "results_field", "max_pages"):
        expect(page.get_by_test_id(f"param-{name}")).to_be_visible()
    expect(page.get_by_test_id("param-next_url_field")).to_have_count(0)
    page.get_by_test_id("param-pagination").select_option("none")
    expect(page.get_by_test_id("param-max_pages")).to_have_count(0)
    shots.take(page, "hidden-02-pagination-off")
    assert new_context.page_errors == []
