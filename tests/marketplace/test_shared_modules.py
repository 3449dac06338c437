"""An organization shares an AI module on the marketplace; another installs it from the page and runs it as a step."""

import re

from django.db import connection

from apps.ai.models import AiModule
from apps.ai.modules import services as module_services
from apps.flows.services.flows import flow_create, flow_publish
from apps.marketplace.models import SharedModule, SharedModuleInstall
from apps.runs.models import NodeRun
from apps.runs.services.runs import run_create, run_execute
from tests.ai.modules import onnx_models
from tests.ai.support import edge, node

DESCRIPTION = {"features": ["months", "tickets"], "labels": ["stays", "leaves"]}


def test_share_then_install_in_another_organization_and_use_it_as_a_step(data):
    author = data.create_organization()
    connection.set_tenant(author)
    created = module_services.ai_module_create(
        user=None,
        name="Churn",
        kind="onnx",
        description=DESCRIPTION,
        model=onnx_models.logistic(*onnx_models.CHURN_V1),
        example={"months": 2, "tickets": 6},
    )
    page = data.client_for(author, data.owner_of(author))
    refused = page.post(
        f"/marketplace/modules/share/{created.module_id}/", {"title": "Churn risk", "summary": "Who may leave", "license": ""}
    )
    assert refused.status_code == 400 and "licence" in refused.content.decode()
    shared_page = page.post(
        f"/marketplace/modules/share/{created.module_id}/",
        {"title": "Churn risk", "summary": "Who may leave, from months and tickets", "license": "Apache-2.0"},
    )
    assert shared_page.status_code == 302, shared_page.content.decode()[:500]
    shared = SharedModule.objects.get()
    assert (shared.module_name, shared.module_version, shared.license, shared.example) == (
        "Churn",
        1,
        "Apache-2.0",
        {"months": 2, "tickets": 6},
    )

    other = data.create_organization()
    connection.set_tenant(other)
    browser = data.client_for(other, data.owner_of(other))
    listing = browser.get("/marketplace/modules/").content.decode()
    assert "Churn risk" in listing and "Apache-2.0" in listing
    detail = browser.get(f"/marketplace/modules/{shared.pk}/").content.decode()
    assert "<code>months</code>" in detail and "leaves" in detail and "&quot;tickets&quot;: 6" in detail
    installed = browser.post(f"/marketplace/modules/{shared.pk}/", {"name": "Churn from market"})
    assert installed.status_code == 302, installed.content.decode()[:500]
    connection.set_tenant(other)
    module = AiModule.objects.get()
    assert (module.name, module.source, module.license, module.active_version) == (
        "Churn from market",
        f"marketplace:{shared.pk}",
        "Apache-2.0",
        1,
    )
    assert re.search(rf"/ai/modules/{module.pk}/$", installed["Location"])
    assert SharedModuleInstall.objects.get().organization_id == other.pk
    shared.refresh_from_db()
    assert shared.install_count == 1

    graph = {
        "nodes": [node("start", "trigger.manual", "Start"), node("predict", "ai.module", "Predict", module="Churn from market")],
        "edges": [edge("start", "predict")],
    }
    flow = flow_create(user=None, name="Uses the shared module", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"months": 2, "tickets": 6}]).pk)
    assert run.status == "success", run.error
    assert NodeRun.objects.get(run=run, node_id="predict").outputs["main"][0]["prediction"]["label"] == "leaves"

    # The author's own module is untouched and not visible to the installer (each has its own schema).
    connection.set_tenant(author)
    assert list(AiModule.objects.values_list("name", flat=True)) == ["Churn"]
    # A viewer cannot install; a module id of another organization cannot be shared from here.
    viewer = data.create_member(other, role="viewer")
    as_viewer = data.client_for(other, viewer.user)
    assert as_viewer.post(f"/marketplace/modules/{shared.pk}/", {"name": "x"}).status_code == 400
    connection.set_tenant(other)
    assert browser.get(f"/marketplace/modules/share/{created.module_id + 1000}/").status_code == 404
