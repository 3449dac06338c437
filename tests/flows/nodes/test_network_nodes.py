import base64
import json
import time

import pytest
from django.utils import translation

from apps.flows.engine.context import LocalHost
from apps.flows.error_text import engine_error_text
from tests.flows.engine.helpers import edge, node, run
from tests.support.fake_http import FakeServer

START = node("start", "trigger.manual", "Start")


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


def http(server, allow=("127.0.0.1",), credentials=None, **params):
    host = LocalHost(http_allow_hosts=allow, credentials=credentials or {})
    nodes = [START, node("http", "net.http", "Call", **params)]
    result, _ = run(nodes, [edge("start", "http")], [{"id": 5}], host=host)
    return result


def test_get_json_with_query_headers_and_bearer_credential(server):
    server.routes["/api/orders"] = lambda r: (200, {}, {"order": r["query"]["id"], "auth": r["headers"].get("Authorization")})
    credentials = {"7": {"type": "http_bearer", "data": {"token": "tok-123"}}}
    result = http(
        server,
        credentials=credentials,
        url=server.url("/api/orders"),
        query={"id": "{{ json.id }}"},
        headers={"X-Trace": "t"},
        authentication="http_bearer",
        credential="7",
    )
    assert result.status == "success", result.error
    body = result.last_items[0]["body"]
    assert body == {"order": "5", "auth": "Bearer tok-123"}
    assert server.requests[0]["headers"]["X-Trace"] == "t"


def test_a_credential_goes_only_to_the_address_typed_not_to_another_origin_on_a_redirect(server):
    """Like a browser: a redirect to another host keeps the request but not the credential (header, basic auth or
    key in the query); a redirect on the same origin keeps it. The original query is not appended to the new address."""
    other = f"http://localhost:{server.port}"  # the same fake server under another origin
    server.routes["/start"] = lambda r: (302, {"Location": f"{other}/landing?page=2"}, b"")
    server.routes["/landing"] = lambda r: (200, {}, {"ok": True})
    server.routes["/here"] = lambda r: (302, {"Location": "/landing"}, b"")
    cases = {
        "http_header": ({"header": "X-API-Key", "value": "s3cret"}, lambda r: r["headers"].get("X-API-Key") == "s3cret"),
        "http_bearer": ({"token": "s3cret"}, lambda r: r["headers"].get("Authorization") == "Bearer s3cret"),
        "http_basic": ({"username": "kim", "password": "s3cret"}, lambda r: r["headers"].get("Authorization", "").startswith("Basic ")),
        "http_query": ({"parameter": "api_key", "value": "s3cret"}, lambda r: r["query"].get("api_key") == "s3cret"),
    }
    for kind, (data, carries) in cases.items():
        credentials = {"1": {"type": kind, "data": data}}
        common = {"allow": ("127.0.0.1", "localhost"), "credentials": credentials, "authentication": kind, "credential": "1"}
        server.requests.clear()
        result = http(server, url=server.url("/start"), query={"q": "x"}, headers={"X-Trace": "t"}, **common)
        assert result.status == "success", (kind, result.error)
        first, landed = server.requests
        assert carries(first) and not carries(landed), kind
        assert "Authorization" not in landed["headers"] and landed["query"] == {"page": "2"}
        assert landed["headers"]["X-Trace"] == "t"  # the person's own headers still go
        server.requests.clear()
        assert http(server, url=server.url("/here"), **common).status == "success"
        first, landed = server.requests
        assert carries(first) and carries(landed), kind  # same origin: still signed in


def test_internal_addresses_are_refused_unless_allowed(server):
    server.routes["/"] = lambda r: (200, {}, {"ok": True})
    for url in (
        server.url("/"),
        f"http://localhost:{server.port}/",
        f"http://[::1]:{server.port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://0.0.0.0:1/",
    ):
        result = http(server, allow=(), url=url, timeout_seconds=2)
        assert result.status == "failed", url
        assert "internal address" in result.error, (url, result.error)
    assert server.requests == []
    # The refusal keeps its template, so a Korean reader gets it in Korean (apps/flows/error_text.py).
    with translation.override("ko"):
        korean = engine_error_text(result.error, result.error_args)
    assert "내부 주소(0.0.0.0)" in korean and "0.0.0.0" in result.error
    assert http(server, allow=("localhost",), url=f"http://localhost:{server.port}/").status == "success"
    assert http(server, allow=("127.0.0.0/8",), url=server.url("/")).status == "success"


@pytest.fixture
def production_policy(settings):
    settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = False


def test_an_allow_list_cannot_open_what_the_platform_never_allows(server, production_policy):
    """Issue 12: an organization's allow-list stored before the platform policy (or edited in the database) is
    checked again on every connection: loopback, wildcards and metadata stay closed whatever it says."""
    server.routes["/"] = lambda r: (200, {}, {"ok": True})
    for allow in (("127.0.0.0/8",), ("0.0.0.0/0", "::/0"), ("localhost",), ("127.0.0.1",)):
        for url in (server.url("/"), f"http://localhost:{server.port}/", f"http://[::1]:{server.port}/"):
            result = http(server, allow=allow, url=url, timeout_seconds=2)
            assert result.status == "failed" and "may never call" in result.error, (allow, url, result.error)
    metadata = http(server, allow=("169.254.0.0/16",), url="http://169.254.169.254/latest/meta-data/", timeout_seconds=2)
    assert metadata.status == "failed" and "may never call" in metadata.error
    assert server.requests == []
    with translation.override("ko"):
        assert "절대 호출할 수 없습니다" in engine_error_text(metadata.error, metadata.error_args)


def test_private_ranges_the_platform_opens_stay_reachable_when_allowed(production_policy, settings):
    from apps.flows.http.guard import AllowList, reachable

    allow = AllowList(["10.1.0.0/16", "intranet.example.internal"])
    assert reachable("10.1.2.3", "10.1.2.3", allow)
    assert reachable("intranet.example.internal", "192.168.5.5", allow)  # an allowed name, at a private address
    assert not reachable("10.2.0.1", "10.2.0.1", allow)  # not on the list
    assert not reachable("intranet.example.internal", "127.0.0.1", allow)  # a name that resolves to loopback
    assert reachable("example.com", "93.184.215.14", AllowList())  # public addresses need no permission
    # A changed platform policy applies to entries already stored.
    settings.EZFLOW_SSRF_ORGANIZATIONS_MAY_ALLOW = ["192.168.0.0/16"]
    assert not reachable("10.1.2.3", "10.1.2.3", AllowList(["10.1.0.0/16"]))
    settings.EZFLOW_SSRF_PLATFORM_HOSTS = ["192.168.5.5", "93.184.215.14"]
    assert not reachable("intranet.example.internal", "192.168.5.5", AllowList(["intranet.example.internal"]))
    assert not reachable("example.com", "93.184.215.14", AllowList())  # the platform's own host, even public


def test_redirects_are_checked_on_every_hop(server):
    server.routes["/hop"] = lambda r: (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    server.routes["/ok"] = lambda r: (301, {"Location": "/final"}, b"")
    server.routes["/final"] = lambda r: (200, {}, {"final": True})
    blocked = http(server, url=server.url("/hop"), timeout_seconds=2)
    assert blocked.status == "failed" and "internal address" in blocked.error
    assert http(server, url=server.url("/ok")).last_items[0]["body"] == {"final": True}


def test_post_bodies_and_error_statuses(server):
    server.routes["/echo"] = lambda r: (200, {}, {"type": r["headers"].get("Content-Type"), "body": r["body"].decode()})
    server.routes["/boom"] = lambda r: (500, {}, b"server exploded")
    sent = http(server, method="POST", url=server.url("/echo"), body_type="json", body={"name": "{{ json.id }}"})
    assert json.loads(sent.last_items[0]["body"]["body"]) == {"name": 5}
    form = http(server, method="POST", url=server.url("/echo"), body_type="form", body={"a": "1"})
    assert form.last_items[0]["body"]["body"] == "a=1"
    # Multipart: text fields, and a file from binary data as the HTTP step returns it (e.g. a downloaded PDF).
    pdf = {"base64": base64.b64encode(b"%PDF-1.7 report").decode(), "content_type": "application/pdf", "file_name": "report.pdf"}
    multipart = http(server, method="POST", url=server.url("/echo"), body_type="multipart", body={"title": "월간 보고", "file": pdf})
    echoed = multipart.last_items[0]["body"]
    assert echoed["type"].startswith("multipart/form-data; boundary=")
    assert 'name="title"' in echoed["body"] and "월간 보고" in echoed["body"]
    assert 'name="file"; filename="report.pdf"' in echoed["body"] and "Content-Type: application/pdf" in echoed["body"]
    assert "%PDF-1.7 report" in echoed["body"]
    broken = http(server, method="POST", url=server.url("/echo"), body_type="multipart", body={"file": {"base64": "not base64!"}})
    assert broken.status == "failed" and "“file” is not valid base64" in broken.error
    failed = http(server, url=server.url("/boom"))
    assert failed.status == "failed" and "500" in failed.error
    tolerated = http(server, url=server.url("/boom"), fail_on_error_status=False)
    assert tolerated.last_items[0]["status"] == 500 and tolerated.last_items[0]["body"] == "server exploded"


def test_size_limit_timeout_and_binary(server):
    server.routes["/big"] = lambda r: (200, {}, b"x" * 5000)
    server.routes["/slow"] = lambda r: (time.sleep(3), (200, {}, b"late"))[1]
    server.routes["/file"] = lambda r: (200, {"Content-Type": "image/png"}, b"\x89PNG")
    assert "larger than the limit" in http(server, url=server.url("/big"), max_response_bytes=1000).error
    started = time.monotonic()
    slow = http(server, url=server.url("/slow"), timeout_seconds=1)
    assert slow.status == "failed" and "did not answer" in slow.error and time.monotonic() - started < 2.5
    binary = http(server, url=server.url("/file"), response_format="binary").last_items[0]["body"]
    assert base64.b64decode(binary["base64"]) == b"\x89PNG" and binary["content_type"] == "image/png"


def test_the_steps_timeout_covers_all_its_requests_not_each_one(server):
    """Each request is quicker than the request timeout, but together they pass the step's timeout: the step stops."""
    server.routes["/slow"] = lambda r: (time.sleep(0.4), (200, {}, {"ok": True}))[1]
    host = LocalHost(http_allow_hosts=("127.0.0.1",))
    step = node("http", "net.http", "Call", settings={"timeout_seconds": 1}, url=server.url("/slow"), timeout_seconds=5)
    started = time.monotonic()
    result, _ = run([START, step], [edge("start", "http")], [{"n": n} for n in range(8)], host=host)
    assert result.status == "failed" and result.error_code == "timeout", result.error
    assert len(server.requests) < 5 and time.monotonic() - started < 2.5


def test_pagination_by_next_url_and_by_page_number(server):
    pages = {"1": {"items": [{"n": 1}, {"n": 2}], "next": "/list?page=2"}, "2": {"items": [{"n": 3}], "next": None}}
    server.routes["/list"] = lambda r: (200, {}, pages[r["query"].get("page", "1")])
    by_link = http(server, url=server.url("/list"), pagination="next_url", results_field="items")
    assert [i["n"] for i in by_link.last_items] == [1, 2, 3]
    numbered = {"1": [{"n": 1}], "2": [{"n": 2}], "3": []}
    server.routes["/numbered"] = lambda r: (200, {}, numbered[r["query"].get("page", "1")])
    by_page = http(server, url=server.url("/numbered"), pagination="page_param", page_param="page")
    assert [i["n"] for i in by_page.last_items] == [1, 2]


def test_slack_message_posts_to_the_webhook(server):
    server.routes["/services/T/B/X"] = lambda r: (200, {}, b"ok")
    host = LocalHost(
        http_allow_hosts=("127.0.0.1",), credentials={"3": {"type": "slack_webhook", "data": {"url": server.url("/services/T/B/X")}}}
    )
    nodes = [START, node("slack", "net.slack", credential="3", text="새 주문 {{ json.id }}")]
    result, _ = run(nodes, [edge("start", "slack")], [{"id": 9}], host=host)
    assert result.status == "success", result.error
    assert json.loads(server.requests[0]["body"]) == {"text": "새 주문 9"}
    missing, _ = run(nodes, [edge("start", "slack")], [{"id": 9}], host=LocalHost())
    assert missing.status == "failed" and missing.error_code == "credential_missing"


def test_send_email_through_a_local_smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Collect(Message):
        messages = []

        def handle_message(self, message):
            self.messages.append(message)

    from tests.support.stack import free_port

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = {"host": "127.0.0.1", "port": str(controller.port), "security": "none", "from_email": "bot@ezflow.example"}
        host = LocalHost(http_allow_hosts=("127.0.0.1",), credentials={"1": {"type": "smtp", "data": smtp}})
        nodes = [START, node("mail", "net.email", credential="1", to="{{ json.to }}", subject="보고서 {{ json.n }}", text="본문")]
        result, _ = run(nodes, [edge("start", "mail")], [{"to": "kim@example.com", "n": 1}], host=host)
        assert result.status == "success", result.error
        assert handler.messages[0]["To"] == "kim@example.com"
        blocked, _ = run(
            nodes,
            [edge("start", "mail")],
            [{"to": "kim@example.com", "n": 1}],
            host=LocalHost(credentials={"1": {"type": "smtp", "data": smtp}}),
        )
        assert blocked.status == "failed" and "internal address" in blocked.error
        assert blocked.error_code == "smtp_error"  # a clear refusal, not "the node failed unexpectedly"
    finally:
        controller.stop()


def _certificate_for(name: str, folder) -> tuple[str, str]:
    """A self-signed certificate for `name` (no IP address in it), as a file pair."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_starttls_checks_the_certificate_against_the_host_name_not_the_address(tmp_path, monkeypatch):
    """The step connects to the address the guard checked, but a mail server's certificate names its host: TLS must
    be checked against that name (it failed on every real server when checked against the address)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from tests.support.stack import free_port

    class Collect(Message):
        messages = []

        def handle_message(self, message):
            self.messages.append(message)

    cert, key = _certificate_for("localhost", tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    trusting = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: trusting(cafile=cert))  # trust our test CA only
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=server_context, require_starttls=True)
    controller.start()
    try:
        smtp = {"host": "localhost", "port": str(controller.port), "security": "starttls", "from_email": "bot@ezflow.example"}
        host = LocalHost(http_allow_hosts=("localhost",), credentials={"1": {"type": "smtp", "data": smtp}})
        nodes = [START, node("mail", "net.email", credential="1", to="kim@example.com", subject="TLS", text="본문")]
        result, _ = run(nodes, [edge("start", "mail")], [{}], host=host)
        assert result.status == "success", result.error
        assert handler.messages[0]["Subject"] == "TLS"
    finally:
        controller.stop()
