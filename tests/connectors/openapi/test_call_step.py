"""The openapi.call step against a local fake server: method, path, query, headers, body and where the credential goes."""

import base64
import copy
import json
from urllib.parse import parse_qs

import pytest

from apps.connectors.openapi.services import connector_import
from apps.flows.engine.context import LocalHost
from tests.connectors.openapi.specs import NOTES_OAS31, PETS_OAS30, PUBLIC_DATA_SWAGGER2, as_json, as_yaml
from tests.flows.engine.helpers import edge, node, run
from tests.support.fake_http import FakeServer

START = node("start", "trigger.manual", "Start")


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


def call(connector, operation, *, server_url="", credentials=None, **params):
    host = LocalHost(http_allow_hosts=("127.0.0.1",), credentials=credentials or {})
    step = node("api", "openapi.call", "API", connector=str(connector.pk), operation=operation, server=server_url, **params)
    result, _ = run([START, step], [edge("start", "api")], [{"n": 1}], host=host)
    return result


def imported(owner, document, name="API"):
    return connector_import(user=owner, name=name, spec_text=as_yaml(document)).connector


def test_public_data_key_goes_in_the_query_once_encoded_and_the_xml_answer_is_read(organization, owner, server):
    server.routes["/api/15073855/v1/stations"] = lambda r: (
        200,
        {"Content-Type": "application/xml;charset=UTF-8"},
        "<response><header><resultCode>00</resultCode></header><body><items><item><stationName>종로구</stationName></item></items></body></response>".encode(),
    )
    connector = imported(owner, PUBLIC_DATA_SWAGGER2)
    # The portal's "Encoding" key is already percent-encoded; it must not be encoded a second time.
    credentials = {"9": {"type": "http_query", "data": {"parameter": "ignored", "value": "abc%2B%2Fkey%3D%3D"}}}
    result = call(
        connector,
        "getStations",
        server_url=server.url("/api"),
        credentials=credentials,
        values={"perPage": "5"},
        authentication="http_query",
        credential="9",
    )
    assert result.status == "success", result.error
    request = server.requests[0]
    assert request["method"] == "GET" and request["path"] == "/api/15073855/v1/stations"
    assert request["query"] == {"serviceKey": "abc+/key==", "page": "1", "perPage": "5", "returnType": "JSON"}  # defaults sent
    answer = result.last_items[0]
    assert answer["status"] == 200
    assert answer["body"]["response"]["body"]["items"]["item"]["stationName"] == "종로구"


def test_json_body_path_and_header_parameters(organization, owner, server):
    server.routes["/api/15073855/v1/stations/종로 구".encode().decode()] = lambda r: (200, {}, {"ok": True})
    server.routes["/api/15073855/v1/stations/%EC%A2%85%EB%A1%9C%20%EA%B5%AC"] = lambda r: (200, {}, {"ok": True})
    connector = imported(owner, PUBLIC_DATA_SWAGGER2)
    credentials = {"9": {"type": "http_query", "data": {"parameter": "serviceKey", "value": "plain-key"}}}
    result = call(
        connector,
        "reportStation",
        server_url=server.url("/api"),
        credentials=credentials,
        authentication="http_query",
        credential="9",
        values={"stationName": "종로 구", "X-Trace": "t-1", "observedAt": "2024-05-01T09:00:00+09:00", "pm10": "81", "grade": "나쁨"},
    )
    assert result.status == "success", result.error
    request = server.requests[0]
    assert request["method"] == "POST" and request["path"] == "/api/15073855/v1/stations/%EC%A2%85%EB%A1%9C%20%EA%B5%AC"
    assert request["headers"]["X-Trace"] == "t-1" and request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"observedAt": "2024-05-01T09:00:00+09:00", "pm10": 81, "grade": "나쁨"}  # integer typed
    assert request["query"] == {"serviceKey": "plain-key"}


def test_multipart_and_form_bodies(organization, owner, server):
    server.routes["/api/15073855/v1/stations/a"] = lambda r: (200, {}, {"ok": True})
    connector = imported(owner, PUBLIC_DATA_SWAGGER2)
    credentials = {"9": {"type": "http_header", "data": {"header": "x", "value": "k"}}}
    photo = {"base64": base64.b64encode(b"\x89PNG-bytes").decode(), "file_name": "a.png", "content_type": "image/png"}
    result = call(
        connector,
        "uploadPhoto",
        server_url=server.url("/api"),
        credentials=credentials,
        authentication="http_header",
        credential="9",
        values={"stationName": "a", "photo": photo, "caption": "정문"},
    )
    assert result.status == "success", result.error
    request = server.requests[0]
    assert request["method"] == "PUT" and request["headers"]["Content-Type"].startswith("multipart/form-data")
    assert b'filename="a.png"' in request["body"] and b"\x89PNG-bytes" in request["body"] and "정문".encode() in request["body"]
    assert request["query"]["serviceKey"] == "k"  # an API-key credential goes where the document says, whatever its kind

    pets = copy.deepcopy(PETS_OAS30)
    pets["servers"] = [{"url": server.url("/v1")}]
    server.routes["/v1/pets/3/notes"] = lambda r: (200, {}, {"ok": True})
    connector = imported(owner, pets, name="Pets")
    result = call(
        connector,
        "addNote",
        credentials={"1": {"type": "http_bearer", "data": {"token": "tok"}}},
        authentication="http_bearer",
        credential="1",
        values={"petId": 3, "text": "밥 주기", "pinned": True},
    )
    assert result.status == "success", result.error
    request = server.requests[-1]
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request["body"].decode()) == {"text": ["밥 주기"], "pinned": ["true"]}
    assert request["headers"]["Authorization"] == "Bearer tok"


def test_basic_bearer_header_key_and_public_operations(organization, owner, server):
    pets = copy.deepcopy(PETS_OAS30)
    pets["servers"] = [{"url": server.url("/v1")}]
    server.routes["/v1/pets"] = lambda r: (200, {}, [{"id": 1}])
    server.routes["/v1/pets/7"] = lambda r: (200, {"Content-Type": "text/plain"}, b"a cat")
    connector = imported(owner, pets, name="Pets")
    basic = {"2": {"type": "http_basic", "data": {"username": "kim", "password": "pw"}}}
    assert call(connector, "listPets", credentials=basic, authentication="http_basic", credential="2").status == "success"
    assert server.requests[-1]["headers"]["Authorization"] == "Basic " + base64.b64encode(b"kim:pw").decode()
    assert server.requests[-1]["query"] == {"limit": "20"}
    public = call(connector, "getPet", values={"petId": 7})
    assert public.status == "success" and public.last_items[0]["body"] == "a cat"
    assert "Authorization" not in server.requests[-1]["headers"]

    notes = copy.deepcopy(NOTES_OAS31)
    notes["paths"]["/notes"]["servers"] = [{"url": server.url("/eu")}]
    server.routes["/eu/notes"] = lambda r: (200, {}, {"notes": []})
    connector = imported(owner, notes, name="Notes")
    key = {"3": {"type": "http_header", "data": {"header": "X-Other", "value": "nk"}}}
    result = call(connector, "searchNotes", credentials=key, authentication="http_header", credential="3", values={"q": "회의"})
    assert result.status == "success", result.error
    assert server.requests[-1]["headers"]["X-Notes-Key"] == "nk" and "X-Other" not in server.requests[-1]["headers"]


def test_clear_errors_before_anything_is_sent(organization, owner, server):
    pets = copy.deepcopy(PETS_OAS30)
    pets["servers"] = [{"url": server.url("/v1")}]
    connector = imported(owner, pets, name="Pets")
    bearer = {"1": {"type": "http_bearer", "data": {"token": "tok"}}}
    cases = [
        (
            {"operation": "createPet", "values": {"kind": "cat"}, "authentication": "http_bearer", "credential": "1"},
            "missing_parameter",
            "name",
        ),
        (
            {"operation": "createPet", "values": {"name": "n", "kind": "cow"}, "authentication": "http_bearer", "credential": "1"},
            "bad_value",
            "cat, dog",
        ),
        (
            {"operation": "listPets", "values": {"nope": 1}, "authentication": "http_bearer", "credential": "1"},
            "unknown_parameter",
            "limit",
        ),
        ({"operation": "listPets"}, "credential_missing", ""),
        ({"operation": "listPets", "authentication": "http_query", "credential": "1"}, "bad_auth", "http_bearer"),
        ({"operation": "deletePet", "values": {"petId": 1}}, "operation_missing", "deletePet"),
    ]
    for params, code, words in cases:
        result = call(connector, credentials=bearer, **params)
        assert result.status == "failed" and result.error_code == code, (params, result.error)
        assert words in str(result.error), (code, str(result.error))
    assert server.requests == []
    relative = imported(owner, {**pets, "servers": [{"url": "/v1"}]}, name="Relative")
    result = call(relative, "getPet", values={"petId": 1})
    assert result.error_code == "bad_server"
    assert call(relative, "getPet", server_url=server.url("/v1"), values={"petId": 1}).error_code == "http_error"  # typed address used


def test_the_credential_never_follows_a_redirect_to_another_origin(organization, owner, server):
    notes = copy.deepcopy(NOTES_OAS31)
    notes["paths"]["/notes"]["servers"] = [{"url": server.url("/eu")}]
    elsewhere = f"http://localhost:{server.port}/landing"
    server.routes["/eu/notes"] = lambda r: (302, {"Location": elsewhere}, b"")
    server.routes["/landing"] = lambda r: (200, {}, {"ok": True})
    connector = imported(owner, notes, name="Notes")
    key = {"3": {"type": "http_header", "data": {"header": "X", "value": "nk"}}}
    host = LocalHost(http_allow_hosts=("127.0.0.1", "localhost"), credentials=key)
    step = node(
        "api",
        "openapi.call",
        "API",
        connector=str(connector.pk),
        operation="searchNotes",
        authentication="http_header",
        credential="3",
        values={"q": "x"},
    )
    result, _ = run([START, step], [edge("start", "api")], [{}], host=host)
    assert result.status == "success", result.error
    first, landed = server.requests
    assert first["headers"]["X-Notes-Key"] == "nk" and "X-Notes-Key" not in landed["headers"]


def test_a_json_document_imports_too(organization, owner):
    version = connector_import(user=owner, name="Json", spec_text=as_json(PUBLIC_DATA_SWAGGER2))
    assert version.number == 1 and len(version.operations) == 3
