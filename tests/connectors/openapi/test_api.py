"""POST/GET/DELETE /api/v1/connectors/openapi: the answer's shape, refusals in words, roles and other organizations."""

import copy

from django.test import override_settings

from apps.accounts.roles import Role
from apps.connectors.openapi.parse import MAX_SPEC_BYTES
from tests.connectors.openapi.specs import PETS_OAS30, PUBLIC_DATA_SWAGGER2, as_json, as_yaml
from tests.connectors.openapi.test_real_specs import spec_text
from tests.support.fake_http import FakeServer

PATH = "/api/v1/connectors/openapi"


def post(api, body, **extra):
    return api.post(PATH, body, content_type="application/json", **extra)


def test_import_answers_201_with_operations_and_skipped_then_lists_details_and_deletes(data, organization):
    api = data.editor_api(organization)
    created = post(api, {"name": "Pets", "spec": as_yaml(PETS_OAS30)})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert set(body) == {"id", "name", "version", "operations", "skipped", "diff"} and body["version"] == 1
    assert body["operations"][0] == {"id": "listPets", "method": "GET", "path": "/pets", "summary": "List pets"}
    assert {entry["operation"] for entry in body["skipped"]} == {"DELETE /pets/{petId}", "PATCH /pets/{petId}"}
    assert all(set(entry) == {"operation", "reason"} for entry in body["skipped"])
    assert "other.yaml" in next(e["reason"] for e in body["skipped"] if e["operation"] == "PATCH /pets/{petId}")

    listed = api.get(PATH).json()
    assert [(c["id"], c["name"], c["latest_version"]) for c in listed] == [(body["id"], "Pets", 1)]
    detail = api.get(f"{PATH}/{body['id']}").json()
    operations = {op["id"]: op for op in detail["operations"]}
    assert operations["listPets"]["authentication"] == ["http_bearer", "http_basic"]
    assert operations["getPet"]["authentication"] == ["none"]
    assert operations["createPet"]["body_content_type"] == "application/json"
    assert {p["key"] for p in operations["createPet"]["parameters"]} == {"name", "kind", "parent", "tags"}
    assert detail["servers"] == ["https://kr.pets.example/v1"]
    assert {s["name"]: s["type"] for s in detail["security_schemes"]} == {"token": "bearer", "login": "basic", "oidc": "unsupported"}

    # Importing the same name again is a new version with what changed.
    changed = copy.deepcopy(PETS_OAS30)
    del changed["paths"]["/pets"]["post"]
    again = post(api, {"name": "Pets", "spec": as_json(changed)}).json()
    assert again["id"] == body["id"] and again["version"] == 2 and again["diff"]["removed"] == ["createPet"]
    detail = api.get(f"{PATH}/{body['id']}").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1] and detail["version"]["diff"]["removed"] == ["createPet"]

    assert api.delete(f"{PATH}/{body['id']}").status_code == 204
    assert api.get(PATH).json() == [] and api.get(f"{PATH}/{body['id']}").status_code == 404


def test_garbage_oversized_and_empty_documents_are_400s_in_words_in_both_languages(data, organization):
    api = data.editor_api(organization)
    cases = [
        ({"name": "x", "spec": "{{{ not: [valid"}, "spec_unreadable", "neither valid JSON nor YAML"),
        ({"name": "x", "spec": '{"hello": "world"}'}, "spec_not_openapi", "no “openapi” or “swagger” field"),
        ({"name": "x", "spec": '{"openapi": "2.5"}'}, "spec_version", "Version 2.5 is not supported"),
        ({"name": "x", "spec": '{"openapi": "3.0.0", "paths": {}}'}, "no_operations", "describes no operations"),
        ({"name": "", "spec": as_json(PETS_OAS30)}, "invalid", ""),
        ({"name": "x"}, "required", "either the document"),
        ({"name": "x", "spec": "openapi: 3.0.0", "url": "https://example.com/spec"}, "required", "either the document"),
    ]
    for body, code, words in cases:
        response = post(api, body)
        assert response.status_code == 400, (code, response.status_code)
        assert response.json()["error"]["code"] == code, response.json()
        assert words in response.json()["error"]["message"], response.json()
    # Past the platform's request limit (2.5 MB by default) the answer is the platform's 413; under a raised limit
    # the importer's own 5 MB bound answers.
    too_big = post(api, {"name": "x", "spec": "a" * (MAX_SPEC_BYTES + 1)})
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
        too_big = post(api, {"name": "x", "spec": "a" * (MAX_SPEC_BYTES + 1)})
    assert too_big.status_code == 400 and too_big.json()["error"]["message"] == "The document is larger than 5 MB."
    korean = post(api, {"name": "x", "spec": '{"hello": "world"}'}, HTTP_ACCEPT_LANGUAGE="ko").json()["error"]["message"]
    assert "OpenAPI" in korean and "문서" in korean


def test_a_document_with_no_usable_operation_lists_why(data, organization):
    document = copy.deepcopy(PETS_OAS30)
    document["paths"] = {"/a": {"get": {"security": [{"oidc": []}], "responses": {}}}}
    api = data.editor_api(organization)
    response = post(api, {"name": "x", "spec": as_json(document)}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "no_operations" and error["skipped"][0]["operation"] == "GET /a"
    assert "지원" in error["skipped"][0]["reason"]  # translated, with the scheme's own reason inside
    assert api.get(PATH).json() == []  # nothing half imported


def test_import_from_an_address_goes_through_the_ssrf_guard(data, organization):
    with FakeServer() as server:
        server.routes["/swagger.json"] = lambda r: (200, {"Content-Type": "application/json"}, as_json(PUBLIC_DATA_SWAGGER2).encode())
        api = data.editor_api(organization)
        refused = post(api, {"name": "Air", "url": server.url("/swagger.json")})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "fetch_failed"
        assert "internal address" in refused.json()["error"]["message"]
        organization.allowed_internal_hosts = ["127.0.0.1"]
        organization.save()
        created = post(data.editor_api(organization), {"name": "Air", "url": server.url("/swagger.json")})
        assert created.status_code == 201, created.json()
        assert len(created.json()["operations"]) == 3


def test_a_large_public_document_imports_through_the_api(data, organization):
    text = spec_text("08-openai.yaml")  # 2.9 MB
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
        response = post(data.editor_api(organization), {"name": "OpenAI", "spec": text})
    assert response.status_code == 201, response.content[:300]
    assert len(response.json()["operations"]) == 288 and response.json()["skipped"] == []


def test_viewers_read_but_cannot_import_or_delete(data, organization):
    editor = data.editor_api(organization)
    created = post(editor, {"name": "Pets", "spec": as_json(PETS_OAS30)}).json()
    viewer = data.editor_api(organization, role=Role.VIEWER)
    assert viewer.get(PATH).status_code == 200 and viewer.get(f"{PATH}/{created['id']}").status_code == 200
    assert post(viewer, {"name": "Other", "spec": as_json(PETS_OAS30)}).status_code == 403
    assert viewer.delete(f"{PATH}/{created['id']}").status_code == 403


def test_another_organization_sees_nothing(data, organization):
    created = post(data.editor_api(organization), {"name": "Pets", "spec": as_json(PETS_OAS30)}).json()
    other = data.create_organization(slug=data.unique("elsewhere"))
    api = data.editor_api(other)
    assert api.get(PATH).json() == []
    assert api.get(f"{PATH}/{created['id']}").status_code == 404
    assert api.delete(f"{PATH}/{created['id']}").status_code == 404
