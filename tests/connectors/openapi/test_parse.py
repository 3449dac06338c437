"""Reading documents into operations: the three versions, references, security schemes, and refusals."""

import copy

import pytest

from apps.connectors.openapi.parse import MAX_OPERATIONS, MAX_SPEC_BYTES, SpecError, load_text, operations_diff, read_spec
from tests.connectors.openapi.specs import NOTES_OAS31, PETS_OAS30, PUBLIC_DATA_SWAGGER2, as_json, as_yaml

# Nine levels of YAML aliases, each used nine times: a few hundred bytes that stand for 9**10 values.
BILLION_LAUGHS = "a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))


def read(document, **kwargs):
    return read_spec(load_text(as_yaml(document) if kwargs.pop("yaml", False) else as_json(document)), **kwargs)


def by_id(spec):
    return {op["id"]: op for op in spec.operations}


def fields(operation):
    return {f["key"]: f for f in operation["parameters"]}


def test_swagger2_public_data_document_servers_key_in_query_refs_body_and_form():
    spec = read(PUBLIC_DATA_SWAGGER2, yaml=True)
    assert spec.version == "Swagger 2.0" and spec.title == "미세먼지 정보"
    assert spec.servers == [{"url": "https://api.odcloud.kr/api", "description": ""}]
    assert spec.security_schemes == {"serviceKey": {"type": "api_key", "in": "query", "name": "serviceKey", "description": ""}}
    ops = by_id(spec)
    assert set(ops) == {"getStations", "reportStation", "uploadPhoto"} and spec.skipped == []
    stations = ops["getStations"]
    assert (stations["method"], stations["tag"], stations["summary"], stations["auth"]) == (
        "GET",
        "대기질",
        "측정소 목록 조회",
        [["serviceKey"]],
    )
    assert fields(stations)["returnType"] == {
        "key": "returnType",
        "name": "returnType",
        "in": "query",
        "required": False,
        "type": "string",
        "description": "",
        "enum": ["JSON", "XML"],
        "default": "JSON",
    }
    assert fields(stations)["page"]["default"] == 1 and fields(stations)["page"]["description"] == "페이지 번호"
    report = fields(ops["reportStation"])
    assert (
        report["stationName"]["in"] == "path"
        and report["stationName"]["required"]
        and report["stationName"]["description"] == "측정소 이름"
    )
    # The body's allOf is merged: both parts' properties and required lists.
    assert {k: (f["in"], f["required"], f["type"]) for k, f in report.items() if f["in"] == "body"} == {
        "observedAt": ("body", True, "string"),
        "pm10": ("body", True, "integer"),
        "grade": ("body", False, "string"),
    }
    assert report["grade"]["enum"] == ["좋음", "나쁨"] and ops["reportStation"]["body"]["content_type"] == "application/json"
    upload = ops["uploadPhoto"]
    assert upload["body"] == {"content_type": "multipart/form-data", "required": True, "whole": False}
    assert fields(upload)["photo"]["type"] == "file" and fields(upload)["photo"]["required"]


def test_openapi30_components_request_bodies_server_variables_and_a_schema_that_contains_itself():
    spec = read(PETS_OAS30)
    assert spec.servers[0]["url"] == "https://kr.pets.example/v1"
    assert spec.security_schemes["token"]["type"] == "bearer" and spec.security_schemes["login"]["type"] == "basic"
    ops = by_id(spec)
    assert ops["listPets"]["auth"] == [["token"], ["login"]]
    assert ops["getPet"]["auth"] == [[]]  # security: [] makes it public
    create = fields(ops["createPet"])
    assert create["name"]["required"] and create["kind"]["default"] == "cat" and create["kind"]["enum"] == ["cat", "dog"]
    assert create["parent"]["type"] == "object" and create["tags"] == {**create["tags"], "type": "array", "items": "string"}
    assert fields(ops["getPet"])["petId"]["type"] == "integer"
    note = ops["addNote"]
    assert note["body"]["content_type"] == "application/x-www-form-urlencoded" and fields(note)["pinned"]["type"] == "boolean"
    skipped = {entry["operation"]: entry for entry in spec.skipped}
    assert skipped["DELETE /pets/{petId}"]["code"] == "unsupported_auth"
    assert skipped["PATCH /pets/{petId}"]["code"] == "external_ref" and "other.yaml" in skipped["PATCH /pets/{petId}"]["values"]["ref"]


def test_openapi31_null_types_array_enums_header_keys_oauth2_and_path_servers():
    spec = read(NOTES_OAS31, yaml=True)
    assert spec.security_schemes["oauth"]["flow"] == "authorization_code"
    assert spec.security_schemes["oauth"]["token_url"] == "https://notes.example/oauth/token"
    assert spec.security_schemes["cookie"]["type"] == "unsupported"
    search = by_id(spec)["searchNotes"]
    assert search["servers"] == [{"url": "https://eu.notes.example/api", "description": ""}]
    assert fields(search)["q"]["type"] == "string" and fields(search)["q"]["required"]
    assert fields(search)["labels"]["enum"] == ["work", "home"]
    assert [entry["operation"] for entry in spec.skipped] == ["GET /session"]


def test_reference_cycles_and_chains_end():
    document = copy.deepcopy(PETS_OAS30)
    document["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop2"}
    document["components"]["schemas"]["Loop2"] = {"$ref": "#/components/schemas/Loop"}
    document["paths"]["/loop"] = {
        "post": {
            "operationId": "loop",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Loop"}}}},
            "responses": {},
        },
        "get": {"operationId": "missing", "parameters": [{"$ref": "#/components/parameters/Nope"}], "responses": {}},
    }
    spec = read(document)
    codes = {e["operation"]: e["code"] for e in spec.skipped}
    assert codes["POST /loop"] == "ref_chain" and codes["GET /loop"] == "missing_ref"  # a loop of references only
    assert fields(by_id(spec)["createPet"])["parent"]["type"] == "object"  # a schema containing itself is fine


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "spec_unreadable"),
        ("{not json", "spec_unreadable"),
        ("- a\n- b\n", "spec_not_openapi"),
        ('{"info": {}}', "spec_not_openapi"),
        ('{"openapi": "4.0.0", "paths": {}}', "spec_version"),
        ('{"swagger": "1.2"}', "spec_version"),
        ("[" * 200_000, "spec_too_deep"),
        (BILLION_LAUGHS, "spec_too_large"),
        ("x" * (MAX_SPEC_BYTES + 1), "spec_too_large"),
    ],
)
def test_unusable_documents_are_refused_with_a_code(text, code):
    with pytest.raises(SpecError) as refused:
        load_text(text)
    assert refused.value.code == code


def test_too_many_operations_are_refused_not_cut():
    document = {
        "openapi": "3.0.0",
        "info": {"title": "x", "version": "1"},
        "paths": {f"/p{i}": {"get": {"responses": {}}} for i in range(MAX_OPERATIONS + 1)},
    }
    with pytest.raises(SpecError) as refused:
        read(document)
    assert refused.value.code == "spec_too_many_operations"


def test_yaml_keys_and_dates_become_text():
    spec = read_spec(
        load_text(
            "openapi: 3.0.0\ninfo: {title: t, version: 2024-01-01}\npaths:\n  /a:\n    get:\n      responses: {200: {description: ok}}\n"
        )
    )
    assert spec.api_version == "2024-01-01" and by_id(spec)["get_a"]["method"] == "GET"


def test_operation_ids_are_unique_and_generated_when_missing():
    document = {
        "swagger": "2.0",
        "info": {"title": "x", "version": "1"},
        "paths": {"/a/{id}": {"get": {"operationId": "same"}, "put": {"operationId": "same"}, "post": {"operationId": "bad id!"}}},
    }
    assert [op["id"] for op in read(document).operations] == ["same", "same_2", "post_a_id"]


def test_diff_between_two_imports():
    before = read(PETS_OAS30)
    changed = copy.deepcopy(PETS_OAS30)
    del changed["paths"]["/pets"]["post"]
    changed["paths"]["/pets"]["get"]["parameters"].append({"name": "sort", "in": "query", "schema": {"type": "string"}})
    changed["paths"]["/pets"]["put"] = {"operationId": "replacePets", "responses": {}}
    diff = operations_diff(before.operations, read(changed).operations)
    assert diff["added"] == ["replacePets"] and diff["removed"] == ["createPet"]
    assert diff["changed"] == [
        {
            "id": "listPets",
            "request": False,
            "parameters_added": ["sort"],
            "parameters_removed": [],
            "parameters_changed": [],
            "body": False,
            "auth": False,
        }
    ]
