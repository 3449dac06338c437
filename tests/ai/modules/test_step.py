"""The step `ai.module` in real runs: an ONNX module, a candidate version for a share of items with both answers
recorded, and model servers (KServe v2, TensorFlow Serving) as local fakes, through the SSRF guard."""

import json

import pytest

from apps.ai.models import AiModuleComparison
from apps.ai.modules import selectors, services
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import NodeRun
from apps.runs.services.runs import run_create, run_execute
from tests.ai.modules.conftest import CHURN_DESCRIPTION
from tests.ai.support import edge, node
from tests.support.fake_http import FakeServer

CUSTOMERS = [{"name": f"c{i}", "months": i % 24, "tickets": (i * 7) % 5} for i in range(40)]


def flow_running(module: str, **parameters):
    graph = {
        "nodes": [node("start", "trigger.manual", "Start"), node("predict", "ai.module", "Predict", module=module, **parameters)],
        "edges": [edge("start", "predict")],
    }
    flow = flow_create(user=None, name=f"Uses {module}", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def outputs(run) -> list[dict]:
    return NodeRun.objects.get(run=run, node_id="predict").outputs["main"]


def test_a_flow_labels_items_with_the_active_version(organization, churn_v1):
    services.ai_module_create(user=None, name="Churn", kind="onnx", description=CHURN_DESCRIPTION, model=churn_v1)
    run = run_execute(
        run_id=run_create(flow=flow_running("Churn"), trigger="manual", items=[{"months": 2, "tickets": 6}, {"months": 30}]).pk
    )
    assert run.status == "success", run.error
    items = outputs(run)
    assert [i["prediction"]["label"] for i in items] == ["leaves", "stays"]
    assert items[0]["months"] == 2 and items[0]["prediction"]["version"] == 1 and items[0]["prediction"]["module"] == "Churn"


def test_a_candidate_gets_its_share_and_both_answers_are_recorded(organization, churn_v1, churn_v2):
    first = services.ai_module_create(user=None, name="Churn", kind="onnx", description=CHURN_DESCRIPTION, model=churn_v1)
    module = first.module
    services.ai_module_version_add(module=module, user=None, description=CHURN_DESCRIPTION, model=churn_v2)
    services.ai_module_update(module=module, candidate_version=2, candidate_share=50)
    flow = flow_running("Churn")
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=CUSTOMERS).pk)
    assert run.status == "success", run.error
    versions = [i["prediction"]["version"] for i in outputs(run)]
    to_candidate = versions.count(2)
    assert 8 <= to_candidate <= 32 and versions.count(1) == 40 - to_candidate  # about half, decided per item
    rows = list(AiModuleComparison.objects.filter(module=module))
    assert len(rows) == to_candidate and {(r.active_version, r.candidate_version) for r in rows} == {(1, 2)}
    assert all(r.active_ms is not None and r.candidate_ms is not None and r.run_id == run.pk for r in rows)
    assert any(r.agree is False for r in rows) and any(r.agree for r in rows)  # v2 weighs tickets less
    summary = selectors.comparison_summary(module=module, candidate_version=2)
    assert summary["items"] == to_candidate and 0 < summary["agreement"] < 1

    # The same items of a run go the same way again; a pinned version never compares.
    services.ai_module_update(module=module, candidate_share=100)
    run = run_execute(run_id=run_create(flow=flow_running("Churn", version=1), trigger="manual", items=CUSTOMERS[:3]).pk)
    assert {i["prediction"]["version"] for i in outputs(run)} == {1}
    assert AiModuleComparison.objects.filter(module=module).count() == to_candidate


def test_a_missing_module_fails_the_run_in_words(organization):
    run = run_execute(run_id=run_create(flow=flow_running("Nothing"), trigger="manual", items=[{"a": 1}]).pk)
    assert run.status == "failed" and "There is no AI module “Nothing”" in run.error


def kserve(request):
    body = json.loads(request["body"])
    (tensor,) = body["inputs"]
    assert tensor["datatype"] == "FP32" and tensor["name"] == "input"
    rows, width = tensor["shape"]
    data = tensor["data"]
    scores = []
    for r in range(rows):
        months, tickets = data[r * width : (r + 1) * width]
        leave = 0.9 if tickets > months / 4 else 0.1
        scores += [1 - leave, leave]
    return (
        200,
        {},
        {"model_name": "churn", "id": "1", "outputs": [{"name": "probabilities", "shape": [rows, 2], "datatype": "FP32", "data": scores}]},
    )


def tfserving(request):
    instances = json.loads(request["body"])["instances"]
    return 200, {}, {"predictions": [[0.2, 0.8] if tickets > months / 4 else [0.7, 0.3] for months, tickets in instances]}


@pytest.mark.parametrize(
    ("protocol", "path", "handler"),
    [("kserve_v2", "/v2/models/churn/infer", kserve), ("tfserving", "/v1/models/churn:predict", tfserving)],
)
def test_model_servers_answer_through_the_step(organization, protocol, path, handler):
    with FakeServer() as server:
        server.routes[path] = handler
        services.ai_module_create(
            user=None,
            name="Served",
            kind="http",
            description={**CHURN_DESCRIPTION, "scores_output": "probabilities" if protocol == "kserve_v2" else "predictions"},
            endpoint={"protocol": protocol, "url": server.url(""), "model": "churn"},
        )
        run = run_execute(
            run_id=run_create(flow=flow_running("Served"), trigger="manual", items=[{"months": 2, "tickets": 6}, {"months": 30}]).pk
        )
        assert run.status == "success", run.error
        assert [i["prediction"]["label"] for i in outputs(run)] == ["leaves", "stays"]
        assert len(server.requests) == 1  # the rows went together
        assert server.requests[0]["headers"]["Content-Type"] == "application/json"


def test_model_server_errors_are_said_in_words_and_private_addresses_are_refused(organization, data):
    with FakeServer() as server:
        server.routes["/v2/models/churn/infer"] = lambda r: (400, {}, {"error": "unexpected shape for input 'input'"})
        server.routes["/v2/models/gone/infer"] = lambda r: (404, {}, {"error": "Model gone not found"})
        server.routes["/v2/models/odd/infer"] = lambda r: (200, {}, {"result": 1})
        for model, words in (
            ("churn", "The model server answered 400: unexpected shape for input 'input'"),
            ("gone", "The model server has no model “gone” (404): Model gone not found"),
            ("odd", "not in the protocol's format"),
        ):
            services.ai_module_create(
                user=None,
                name=model,
                kind="http",
                description=CHURN_DESCRIPTION,
                endpoint={"protocol": "kserve_v2", "url": server.url(""), "model": model},
            )
            run = run_execute(run_id=run_create(flow=flow_running(model), trigger="manual", items=[{"months": 2}]).pk)
            assert run.status == "failed" and words in run.error, run.error
        # An organization that did not allow this internal host never reaches it.
        organization.allowed_internal_hosts = []
        organization.save()
        before = len(server.requests)
        run = run_execute(run_id=run_create(flow=flow_running("churn"), trigger="manual", items=[{"months": 2}]).pk)
        assert run.status == "failed" and len(server.requests) == before, run.error
        organization.allowed_internal_hosts = ["127.0.0.1"]
        organization.save()
