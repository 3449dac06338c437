"""AI modules in a real browser: upload an ONNX file with its description, try it with the form made from the
description, add a version and compare, and the Korean page. Chromium against the real stack (daphne + worker)."""

import json

import pytest
from playwright.sync_api import expect

from tests.ai.modules import onnx_models
from tests.e2e.browser import Account, sign_in_with_link, unique
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

DESCRIPTION = {"features": ["months", {"field": "tickets", "default": 0}], "labels": ["stays", "leaves"]}


def test_upload_try_and_add_a_version_in_the_browser(embedded_stack, new_context, page, shots):
    slug = unique("models")
    account = Account(organization=f"Models {slug[-8:]}", slug=slug, email=f"owner@{slug}.example", password=PASSWORD)
    created = signup(embedded_stack, account.slug, account.email, account.password, organization=account.organization)
    sign_in_with_link(page, created["login_url"])

    page.get_by_role("link", name="AI modules").click()
    expect(page.get_by_test_id("no-modules")).to_be_visible()
    form = page.get_by_test_id("upload-form")
    form.locator("#name").fill("Churn")
    form.locator("#summary").fill("Who may leave, from months as a customer and support tickets")
    form.locator("#file").set_input_files(
        {"name": "churn.onnx", "mimeType": "application/octet-stream", "buffer": onnx_models.logistic(*onnx_models.CHURN_V1)}
    )
    form.locator("#description").fill(json.dumps(DESCRIPTION))
    form.locator("#example").fill('{"months": 2, "tickets": 6}')
    form.locator("#license").fill("Apache-2.0")
    shots.take(page, "upload-filled")
    form.get_by_role("button", name="Add the module").click()
    expect(page.get_by_role("heading", name="Churn")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("ready to use")

    test_form = page.get_by_test_id("test-form")
    expect(test_form.get_by_label("months")).to_have_value("2")
    test_form.get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("result-label")).to_have_text("leaves")
    page.get_by_test_id("test-form").get_by_label("tickets").fill("0")
    page.get_by_test_id("test-form").get_by_label("months").fill("36")
    page.get_by_test_id("test-form").get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("result-label")).to_have_text("stays")
    shots.take(page, "tried")

    version_form = page.get_by_test_id("version-form")
    version_form.locator("#vfile").set_input_files(
        {"name": "v2.onnx", "mimeType": "application/octet-stream", "buffer": onnx_models.logistic(*onnx_models.CHURN_V2)}
    )
    version_form.locator("#vnote").fill("tickets matter less")
    version_form.get_by_role("button", name="Add the version").click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    switch = page.get_by_test_id("versions-form")
    switch.locator("#candidate_version").select_option("2")
    switch.locator("#candidate_share").fill("20")
    switch.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("comparison")).to_contain_text("Version 2 gets 20% of the items")

    page.get_by_test_id("language-select").select_option(label="한국어")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", name="후보 버전과 사용 중인 버전 비교")).to_be_visible()
    expect(page.get_by_test_id("test-form").get_by_role("button", name="실행")).to_be_visible()
    shots.take(page, "korean")
    assert new_context.page_errors == []
