"""GET /api/v1/ai/modules/choices: what the editor's module picker offers — the organization's modules, every
version with the item fields it reads — to members only, never another organization's, never the model's bytes; and
the step's form asks the editor for the pickers."""

from django.db import connection

from apps.accounts.roles import Role
from apps.flows.nodes.registry import load_builtin_nodes
from tests.ai.modules.conftest import CHURN_DESCRIPTION, as_base64

PATH = "/api/v1/ai/modules"


def upload(api, model, name="Churn"):
    body = {"name": name, "kind": "onnx", "model_base64": as_base64(model), "description": CHURN_DESCRIPTION, "summary": "Who may leave"}
    created = api.post(PATH, body, content_type="application/json")
    assert created.status_code == 201, created.json()
    return created.json()


def test_choices_list_modules_versions_and_their_input_fields(data, organization, churn_v1, churn_v2):
    editor = data.editor_api(organization)
    module = upload(editor, churn_v1)
    added = editor.post(
        f"{PATH}/{module['id']}/versions",
        {"model_base64": as_base64(churn_v2), "description": CHURN_DESCRIPTION, "note": "fewer tickets"},
        content_type="application/json",
    )
    assert added.status_code == 201, added.json()

    viewer = data.editor_api(organization, role=Role.VIEWER)
    answer = viewer.get(f"{PATH}/choices")
    assert answer.status_code == 200
    [choice] = answer.json()
    assert (choice["id"], choice["name"], choice["kind"], choice["active_version"]) == (module["id"], "Churn", "onnx", 1)
    assert [v["number"] for v in choice["versions"]] == [2, 1]
    assert choice["versions"][0]["inputs"] == ["months", "tickets"] and choice["versions"][0]["input"] == "tabular"
    assert choice["versions"][0]["note"] == "fewer tickets"
    assert "model" not in choice["versions"][0] and "sha256" not in choice["versions"][0]


def test_another_organization_never_sees_the_modules(data, organization, churn_v1):
    upload(data.editor_api(organization), churn_v1, name="Secret churn")
    other = data.create_organization(slug=data.unique("picker-other"))
    connection.set_tenant(other)
    theirs = data.editor_api(other).get(f"{PATH}/choices")
    assert theirs.status_code == 200 and theirs.json() == []
    # and a person of the first organization cannot ask through the other's host
    outsider = data.api_client(other, data.create_token(organization, data.owner_of(organization)))
    assert outsider.get(f"{PATH}/choices").status_code in (401, 403)


def test_the_step_form_offers_the_pickers():
    spec = load_builtin_nodes().get("ai.module").describe()
    pickers = {p["name"]: p.get("picker") for p in spec["parameters"]}
    assert (pickers["module"], pickers["version"]) == ("ai_module", "ai_module_version")
