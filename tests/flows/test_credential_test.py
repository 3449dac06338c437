"""POST /api/v1/credentials/{id}/test ("test connection") against local servers, through the SSRF guard."""

import base64

import pytest

from tests.support.fake_http import FakeServer


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    return organization


@pytest.fixture
def admin(data, organization):
    return data.editor_api(organization, role="admin")


def credential(admin, kind: str, values: dict) -> int:
    created = admin.post("/api/v1/credentials", {"name": kind, "type": kind, "data": values}, content_type="application/json")
    assert created.status_code == 201, created.content
    return created.json()["id"]


def check(admin, credential_id: int, url: str = "", **headers):
    return admin.post(f"/api/v1/credentials/{credential_id}/test", {"url": url}, content_type="application/json", **headers)


def test_each_http_kind_is_tested_with_one_signed_request(admin, server):
    def protected(request):
        auth = request["headers"].get("Authorization", "")
        good = (
            auth == "Bearer good"
            or auth == "Basic " + base64.b64encode(b"kim:good").decode()
            or request["headers"].get("X-Key") == "good"
            or request["query"].get("key") == "good"
        )
        return (200, {}, {"ok": True}) if good else (401, {}, {"error": "unauthorized"})

    server.routes["/me"] = protected
    cases = {
        "http_bearer": ({"token": "good"}, {"token": "bad"}),
        "http_basic": ({"username": "kim", "password": "good"}, {"username": "kim", "password": "bad"}),
        "http_header": ({"header": "X-Key", "value": "good"}, {"header": "X-Key", "value": "bad"}),
        "http_query": ({"parameter": "key", "value": "good"}, {"parameter": "key", "value": "bad"}),
    }
    for kind, (good, bad) in cases.items():
        server.requests.clear()
        accepted = check(admin, credential(admin, kind, good), server.url("/me"))
        assert accepted.status_code == 200 and accepted.json() == {"ok": True, "message": "The server accepted the credential (200 OK)."}, (
            kind
        )
        refused = check(admin, credential(admin, kind, bad), server.url("/me")).json()
        assert refused == {"ok": False, "message": "The server refused the credential (401 Unauthorized)."}, kind
        assert len(server.requests) == 2  # one request per test
    korean = check(admin, credential(admin, "http_bearer", {"token": "bad"}), server.url("/me"), HTTP_ACCEPT_LANGUAGE="ko").json()
    assert korean["message"] == "서버가 자격 증명을 거부했습니다(401 Unauthorized)."


def test_a_test_needs_an_address_follows_no_redirect_and_goes_through_the_guard(data, organization, admin, server):
    bearer = credential(admin, "http_bearer", {"token": "good"})
    assert check(admin, bearer).json()["ok"] is False and "Give an address" in check(admin, bearer).json()["message"]
    server.routes["/moved"] = lambda r: (302, {"Location": "http://other.example/steal"}, b"")
    moved = check(admin, bearer, server.url("/moved")).json()
    assert moved["ok"] is False and "redirect to http://other.example/steal" in moved["message"]
    assert len(server.requests) == 1
    organization.allowed_internal_hosts = []
    organization.save()
    blocked = check(admin, bearer, server.url("/moved")).json()
    assert blocked["ok"] is False and "internal address" in blocked["message"] and len(server.requests) == 1
    assert check(admin, bearer, "ftp://x.example/").json()["message"] == "The address must start with http:// or https://."


def test_slack_webhook_is_checked_without_posting_a_message(admin, server):
    # Slack answers an empty payload with 400 "invalid_payload" (or "no_text") when the webhook exists.
    server.routes["/services/T1/B2/good"] = lambda r: (400, {}, b"invalid_payload")
    server.routes["/services/T1/B2/gone"] = lambda r: (404, {}, b"no_service")
    good = check(admin, credential(admin, "slack_webhook", {"url": server.url("/services/T1/B2/good")})).json()
    assert good == {"ok": True, "message": "Slack knows this webhook."}
    assert server.requests[0]["method"] == "POST" and server.requests[0]["body"] == b"{}"
    gone = check(admin, credential(admin, "slack_webhook", {"url": server.url("/services/T1/B2/gone")})).json()
    assert gone["ok"] is False and "404" in gone["message"] and "no_service" in gone["message"]


def test_smtp_connects_and_signs_in_without_sending(admin):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from tests.support.stack import free_port

    class Collect(Message):
        messages = []

        def handle_message(self, message):
            self.messages.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        values = {"host": "127.0.0.1", "port": str(controller.port), "security": "none", "from_email": "bot@ezflow.example"}
        answer = check(admin, credential(admin, "smtp", values)).json()
        assert answer == {"ok": True, "message": "Connected to the mail server and signed in."}
        assert Collect.messages == []
    finally:
        controller.stop()
    closed = check(admin, credential(admin, "smtp", {**values, "port": str(free_port())})).json()
    assert closed["ok"] is False and closed["message"].startswith("Could not connect to the mail server")


def test_only_admins_test_and_unknown_ones_are_404(data, organization, admin):
    bearer = credential(admin, "http_bearer", {"token": "good"})
    editor = data.editor_api(organization, role="editor")
    assert check(editor, bearer, "https://x.example/").status_code == 403
    assert check(admin, 99999, "https://x.example/").status_code == 404
    other = data.create_organization()
    assert check(data.editor_api(other, role="admin"), bearer, "https://x.example/").status_code == 404  # tenant isolation
