"""The credential-kind registry: a kind registered from outside flows is offered, accepted and used everywhere."""

import pytest

from apps.flows import credential_kinds
from apps.flows.credential_kinds import CredentialKind, Field, t
from apps.flows.engine.context import LocalHost
from apps.flows.nodes.registry import load_builtin_nodes
from tests.flows.engine.helpers import edge, node, run
from tests.support.fake_http import FakeServer

BUILTIN = {"http_basic", "http_bearer", "http_header", "http_query", "smtp", "slack_webhook", "oauth2"}


class SignedHeader(CredentialKind):
    """What a connector app would add in its own module: a header computed from two fields."""

    key = "test_signed_header"
    label = t("Signed header (test)", "서명 헤더(테스트)")
    http_auth = True
    fields = (Field("account", t("Account", "계정"), secret=False), Field("key", t("Key", "키")))

    def authenticate(self, request, data):
        request.headers["X-Signature"] = f"{data['account']}:{data['key'][::-1]}"


@pytest.fixture
def signed_kind():
    credential_kinds.register(SignedHeader)
    yield SignedHeader
    credential_kinds.unregister(SignedHeader.key)


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


def test_the_types_api_lists_every_registered_kind_in_the_readers_language(data, signed_kind):
    organization = data.create_organization()
    api = data.editor_api(organization)
    listed = {entry["key"]: entry for entry in api.get("/api/v1/credentials/types").json()}
    assert BUILTIN | {"test_signed_header"} <= set(listed)
    assert listed["http_basic"]["label"] == "Username and password (HTTP Basic)"
    assert listed["http_basic"]["fields"] == [
        {"name": "username", "label": "Username", "secret": False, "required": True},
        {"name": "password", "label": "Password", "secret": True, "required": True},
    ]
    assert listed["test_signed_header"]["http_auth"] is True and listed["smtp"]["http_auth"] is False
    assert listed["oauth2"]["oauth2"] is True and listed["oauth2"]["redirect_path"] == "/oauth2/callback/"
    korean = {e["key"]: e for e in api.get("/api/v1/credentials/types", HTTP_ACCEPT_LANGUAGE="ko").json()}
    assert korean["test_signed_header"]["label"] == "서명 헤더(테스트)"
    assert korean["http_basic"]["fields"][1]["label"] == "비밀번호"


def test_the_http_steps_authentication_choices_come_from_the_registry(signed_kind):
    http = load_builtin_nodes().get("net.http").describe()
    choices = [o["value"] for o in next(p for p in http["parameters"] if p["name"] == "authentication")["options"]]
    assert choices[0] == "none"
    # Every kind that signs HTTP requests, and only those (the extension test app adds its own, acme_api_key).
    signing = {kind.key for kind in credential_kinds.all_kinds() if kind.http_auth}
    assert {"http_basic", "http_bearer", "http_header", "http_query", "oauth2", "test_signed_header"} <= signing
    assert set(choices[1:]) == signing
    assert "smtp" not in choices and "slack_webhook" not in choices  # they do not sign HTTP requests
    credential_kinds.unregister(signed_kind.key)
    choices = [o["value"] for o in next(p for p in http_params() if p["name"] == "authentication")["options"]]
    assert "test_signed_header" not in choices


def http_params():
    return load_builtin_nodes().get("net.http").describe()["parameters"]


def test_a_registered_kind_signs_the_http_step_only_for_the_origin_typed(signed_kind, server):
    other = f"http://localhost:{server.port}"
    server.routes["/start"] = lambda r: (302, {"Location": f"{other}/landing"}, b"")
    server.routes["/landing"] = lambda r: (200, {}, {"ok": True})
    host = LocalHost(
        http_allow_hosts=("127.0.0.1", "localhost"),
        credentials={"9": {"type": "test_signed_header", "data": {"account": "kim", "key": "abc"}}},
    )
    step = node("http", "net.http", "Call", url=server.url("/start"), authentication="test_signed_header", credential="9")
    result, _ = run([node("start", "trigger.manual", "Start"), step], [edge("start", "http")], [{}], host=host)
    assert result.status == "success", result.error
    first, landed = server.requests
    assert first["headers"]["X-Signature"] == "kim:cba"
    assert "X-Signature" not in landed["headers"]  # another origin: the kind's header stays behind


def test_a_kind_that_is_not_registered_is_a_clear_error_not_a_crash(server):
    server.routes["/"] = lambda r: (200, {}, {"ok": True})
    host = LocalHost(http_allow_hosts=("127.0.0.1",), credentials={"1": {"type": "gone", "data": {}}})
    step = node("http", "net.http", "Call", url=server.url("/"), authentication="gone", credential="1")
    result, _ = run([node("start", "trigger.manual", "Start"), step], [edge("start", "http")], [{}], host=host)
    assert result.status == "failed" and result.error_code == "bad_auth" and server.requests == []


def test_credentials_of_a_registered_kind_are_validated_by_its_fields(data, signed_kind):
    organization = data.create_organization()
    admin = data.editor_api(organization, role="admin")
    missing = admin.post(
        "/api/v1/credentials", {"name": "S", "type": "test_signed_header", "data": {"account": "kim"}}, content_type="application/json"
    )
    assert missing.status_code == 400 and "Key" in missing.json()["error"]["fields"]["data"][0]["message"]
    created = admin.post(
        "/api/v1/credentials",
        {"name": "S", "type": "test_signed_header", "data": {"account": "kim", "key": "abc"}},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == ""
    assert admin.get(f"/api/v1/credentials/{created.json()['id']}").json()["fields"] == {"account": "kim"}


def test_registering_another_kind_under_a_taken_key_is_refused():
    class Impostor(CredentialKind):
        key = "http_bearer"
        label = t("Impostor", "사칭")

    with pytest.raises(ValueError, match="already registered"):
        credential_kinds.register(Impostor)
    with pytest.raises(ValueError, match="lower-case"):
        credential_kinds.register(type("Bad", (CredentialKind,), {"key": "Bad Key", "label": t("b", "b")}))
    assert credential_kinds.get("http_bearer").__class__.__name__ == "HttpBearer"


@pytest.mark.parametrize(
    ("key", "field"), [("http_bearer", "token"), ("kakaowork_bot", "app_key"), ("clova_studio", "api_key"), ("airtable_token", "token")]
)
def test_bearer_kinds_send_their_own_field_without_pasted_spaces(key, field):
    from apps.flows import credential_kinds
    from apps.flows.credential_kinds import OutgoingRequest

    request = OutgoingRequest()
    credential_kinds.get(key).authenticate(request, {field: "  abc123\n"})
    assert request.headers["Authorization"] == "Bearer abc123"


def test_an_smtp_port_that_is_not_a_number_is_refused_when_saved_not_a_crash_when_sending():
    smtp = credential_kinds.get("smtp")
    assert smtp.problems({"host": "mail.example.com", "port": "587"}) == []
    assert smtp.problems({"host": "mail.example.com", "port": ""}) == []  # 587 by default
    for bad in ("abc", "0", "70000", "587a"):
        assert [template for template, _ in smtp.problems({"host": "mail.example.com", "port": bad})] == [
            "The port must be a number from 1 to 65535."
        ]
