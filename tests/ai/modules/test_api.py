"""/api/v1/ai/modules: upload (multipart and base64), refusals in words, versions, switching, trying, roles and
other organizations."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import Role
from tests.ai.modules import onnx_models
from tests.ai.modules.conftest import CHURN_DESCRIPTION, as_base64

PATH = "/api/v1/ai/modules"


def create(api, model: bytes, name="Churn", description=CHURN_DESCRIPTION, headers=None, **extra):
    body = {"name": name, "kind": "onnx", "model_base64": as_base64(model), "description": description, "summary": "Who may leave", **extra}
    return api.post(PATH, body, content_type="application/json", **(headers or {}))


def test_upload_describes_the_model_then_predicts_adds_versions_and_switches(data, organization, churn_v1, churn_v2):
    api = data.editor_api(organization)
    created = create(api, churn_v1, example={"months": 2, "tickets": 6}, license="Apache-2.0")
    assert created.status_code == 201, created.json()
    module = created.json()
    assert (module["name"], module["kind"], module["active_version"], module["license"]) == ("Churn", "onnx", 1, "Apache-2.0")
    version = module["versions"][0]
    assert version["spec"]["features"] == [{"field": "months", "default": None}, {"field": "tickets", "default": 0}]
    assert version["signature"]["inputs"][0]["shape"] == [None, 2] and len(version["sha256"]) == 64

    items = [{"months": 2, "tickets": 6}, {"months": 40}, {"months": "3", "tickets": "1,000"}]
    predicted = api.post(f"{PATH}/{module['id']}/predict", {"items": items}, content_type="application/json")
    assert predicted.status_code == 200, predicted.json()
    results = predicted.json()["results"]
    assert [r["label"] for r in results] == ["leaves", "stays", "leaves"]
    assert set(results[0]["scores"]) == {"stays", "leaves"} and results[0]["version"] == 1 and results[0]["ms"] >= 0

    # A new version does not replace the active one until someone switches.
    upload = SimpleUploadedFile("churn.onnx", churn_v2, content_type="application/octet-stream")
    import json

    added = api.post(
        f"{PATH}/{module['id']}/versions", {"file": upload, "description": json.dumps(CHURN_DESCRIPTION), "note": "fewer tickets"}
    )
    assert added.status_code == 201, added.json()
    assert [v["number"] for v in added.json()["versions"]] == [2, 1] and added.json()["active_version"] == 1
    switched = api.patch(f"{PATH}/{module['id']}", {"candidate_version": 2, "candidate_share": 30}, content_type="application/json")
    assert (switched.json()["candidate_version"], switched.json()["candidate_share"]) == (2, 30)
    adopted = api.patch(f"{PATH}/{module['id']}", {"active_version": 2}, content_type="application/json").json()
    assert (adopted["active_version"], adopted["candidate_version"], adopted["candidate_share"]) == (2, None, 0)
    assert api.get(f"{PATH}/{module['id']}/comparison").json()["items"] == 0

    assert api.delete(f"{PATH}/{module['id']}").status_code == 204
    assert api.get(PATH).json() == []


def test_refusals_are_400s_in_words_in_both_languages(data, organization, churn_v1, settings):
    api = data.editor_api(organization)
    cases = [
        (onnx_models.custom_operator(), CHURN_DESCRIPTION, "module_custom_ops", "standard ONNX operators"),
        (onnx_models.external_data(), CHURN_DESCRIPTION, "module_external_data", "separate file"),
        (b"not a model at all", CHURN_DESCRIPTION, "module_not_onnx", "not an ONNX model"),
        (churn_v1, {"features": ["months"]}, "module_description", "takes 2 features per row, the description lists 1"),
        (churn_v1, {"features": ["a", "b"], "surprise": 1}, "module_description", "unknown entry “surprise”"),
        (churn_v1, {"features": ["a", "b"], "scores_output": "nope"}, "module_description", "no output named “nope”"),
    ]
    for model, description, code, words in cases:
        response = create(api, model, description=description)
        assert response.status_code == 400, (code, response.json())
        assert response.json()["error"]["code"] == code and words in response.json()["error"]["message"], response.json()
    settings.EZFLOW_AI_MODULE_MAX_BYTES = 100
    too_big = create(api, churn_v1)
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "module_too_large"
    settings.EZFLOW_AI_MODULE_MAX_BYTES = 50 * 1024 * 1024
    korean = create(api, onnx_models.custom_operator(), headers={"HTTP_ACCEPT_LANGUAGE": "ko"}).json()["error"]["message"]
    assert "com.example.custom" in korean and "연산자" in korean
    assert create(api, churn_v1).status_code == 201
    again = create(api, churn_v1)
    assert again.status_code == 409 and again.json()["error"]["code"] == "module_exists"
    module_id = api.get(PATH).json()[0]["id"]
    missing = api.post(f"{PATH}/{module_id}/predict", {"items": [{"tickets": 1}]}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "module_feature_missing"
    assert "months" in missing.json()["error"]["message"]
    wrong = api.post(f"{PATH}/{module_id}/predict", {"items": [{"months": "soon"}]}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "module_feature_not_number"
    share = api.patch(f"{PATH}/{module_id}", {"candidate_version": 9}, content_type="application/json")
    assert share.status_code == 400 and share.json()["error"]["code"] == "module_version_missing"


def test_members_read_editors_write_and_other_organizations_see_nothing(data, organization, churn_v1):
    editor = data.editor_api(organization)
    module_id = create(editor, churn_v1).json()["id"]
    viewer = data.editor_api(organization, role=Role.VIEWER)
    assert viewer.get(f"{PATH}/{module_id}").status_code == 200
    assert create(viewer, churn_v1, name="Mine").status_code == 403
    assert viewer.post(f"{PATH}/{module_id}/predict", {"items": [{"months": 1}]}, content_type="application/json").status_code == 403

    other = data.create_organization()
    outsider = data.editor_api(other)
    assert outsider.get(PATH).json() == []
    for method, path in (("get", ""), ("patch", ""), ("delete", ""), ("get", "/comparison"), ("post", "/predict")):
        response = getattr(outsider, method)(f"{PATH}/{module_id}{path}", {"items": [{"months": 1}]}, content_type="application/json")
        assert response.status_code == 404, (method, path, response.status_code)
    # The organization's own token on the other organization's host is refused as well.
    token = data.create_token(organization, data.owner_of(organization))
    assert data.api_client(other, token).get(PATH).status_code in (401, 403)


def test_multipart_upload_of_an_image_module_and_a_picture_through_the_api(data, organization):
    from PIL import Image

    api = data.editor_api(organization)
    description = {"image": {"field": "photo", "width": 8, "height": 8, "mode": "RGB", "scale": 255}, "labels": ["red", "green", "blue"]}
    import json

    upload = SimpleUploadedFile("colours.onnx", onnx_models.colour_means(), content_type="application/octet-stream")
    created = api.post(PATH, {"name": "Colours", "kind": "onnx", "file": upload, "description": json.dumps(description)})
    assert created.status_code == 201, created.json()
    pictures = []
    for colour in ((0, 0, 250), (10, 200, 20)):
        buffer = io.BytesIO()
        Image.new("RGB", (31, 17), colour).save(buffer, format="PNG")
        pictures.append({"photo": "data:image/png;base64," + as_base64(buffer.getvalue())})
    results = api.post(f"{PATH}/{created.json()['id']}/predict", {"items": pictures}, content_type="application/json").json()["results"]
    assert [r["label"] for r in results] == ["blue", "green"]
    broken = api.post(
        f"{PATH}/{created.json()['id']}/predict", {"items": [{"photo": as_base64(b"not a picture")}]}, content_type="application/json"
    )
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "module_image_unreadable"


def test_graphql_lists_the_hosts_modules_to_members_only(data, organization, churn_v1):
    editor = data.editor_api(organization)
    create(editor, churn_v1)
    query = {"query": "{ aiModules { name kind activeVersion versions { number signature } } }"}
    answer = editor.post("/graphql/", query, content_type="application/json").json()
    assert answer["data"]["aiModules"][0]["name"] == "Churn" and answer["data"]["aiModules"][0]["versions"][0]["number"] == 1
    other = data.create_organization()
    assert data.editor_api(other).post("/graphql/", query, content_type="application/json").json()["data"]["aiModules"] == []


def test_a_model_server_module_tried_from_the_api_goes_through_the_ssrf_guard(data, organization):
    import json as _json

    from tests.support.fake_http import FakeServer

    api = data.editor_api(organization)

    def infer(request):
        rows = _json.loads(request["body"])["instances"]
        return 200, {}, {"predictions": [[0.1, 0.9] if row[1] > 3 else [0.8, 0.2] for row in rows]}

    with FakeServer() as server:
        server.routes["/v1/models/churn/versions/2:predict"] = infer
        body = {
            "name": "Served",
            "kind": "http",
            "endpoint": {"protocol": "tfserving", "url": server.url(""), "model": "churn", "version": "2"},
            "description": CHURN_DESCRIPTION,
        }
        created = api.post(PATH, body, content_type="application/json")
        assert created.status_code == 201, created.json()
        module_id = created.json()["id"]
        tried = api.post(
            f"{PATH}/{module_id}/predict", {"items": [{"months": 1, "tickets": 5}, {"months": 9}]}, content_type="application/json"
        )
        assert [r["label"] for r in tried.json()["results"]] == ["leaves", "stays"], tried.json()
        organization.allowed_internal_hosts = []
        organization.save()
        try:
            refused = api.post(f"{PATH}/{module_id}/predict", {"items": [{"months": 1}]}, content_type="application/json")
        finally:
            organization.allowed_internal_hosts = ["127.0.0.1"]
            organization.save()
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "request_failed", refused.json()
        assert len(server.requests) == 1
    bad = api.post(PATH, {**body, "name": "Bad", "endpoint": {**body["endpoint"], "url": "ftp://x"}}, content_type="application/json")
    assert bad.status_code == 400
