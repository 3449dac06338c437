"""The "Run an AI module" step's form in a real browser: the organization's modules and versions are chosen from
lists (with the item fields each version reads) instead of typed, and the choice is saved in the draft."""

import pytest
from playwright.sync_api import expect

from tests.ai.modules import onnx_models
from tests.ai.modules.conftest import CHURN_DESCRIPTION, as_base64
from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor, saved, select

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_choose_the_module_and_version_from_lists(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "picker")
    body = {
        "name": "Churn",
        "kind": "onnx",
        "model_base64": as_base64(onnx_models.logistic(*onnx_models.CHURN_V1)),
        "description": CHURN_DESCRIPTION,
    }
    module = org.api.post("/api/v1/ai/modules", json=body)
    assert module.status_code == 201, module.text
    second = {
        "model_base64": as_base64(onnx_models.logistic(*onnx_models.CHURN_V2)),
        "description": CHURN_DESCRIPTION,
        "note": "tickets matter less",
    }
    assert org.api.post(f"/api/v1/ai/modules/{module.json()['id']}/versions", json=second).status_code == 201
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0]},
            {"id": "predict", "type": "ai.module", "name": "Predict churn", "position": [260, 0]},
        ],
        "edges": [{"source": "start", "target": "predict"}],
    }
    flow = org.flow("Churn check", graph)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(page, org.login_url)
    open_editor(page, org, flow["id"])
    select(page, "Predict churn")

    picker = page.get_by_test_id("param-module")
    expect(picker.locator("option", has_text="Churn · v1")).to_have_count(1)
    picker.select_option("Churn")
    expect(page.get_by_test_id("param-module-inputs")).to_have_text("Reads the fields: months, tickets")
    versions = page.get_by_test_id("param-version")
    expect(versions.locator("option")).to_have_count(3)
    versions.select_option("2")
    saved(page)
    shots.take(page, "chosen")
    draft = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]
    parameters = next(n for n in draft["nodes"] if n["id"] == "predict")["parameters"]
    assert (parameters["module"], parameters["version"]) == ("Churn", 2)
    assert new_context.page_errors == []
