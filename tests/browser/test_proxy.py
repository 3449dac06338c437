"""The proxy Chromium must use for every connection opens only what the SSRF guard allows, on the checked address."""

import socket

import pytest

from apps.browser.proxy import GuardedProxy
from apps.flows.http.guard import AllowList


@pytest.fixture
def proxy():
    guarded = GuardedProxy(AllowList(["127.0.0.1"]))
    guarded.start()
    return guarded


def ask(proxy, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


def test_a_tunnel_to_an_address_the_organization_did_not_allow_is_refused(proxy, fresh_site):
    answer = ask(proxy, f"CONNECT 127.0.0.2:{fresh_site.outside.port} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 403")
    assert proxy.refusals[-1].host == "127.0.0.2" and "internal address" in proxy.refusals[-1].error.template
    assert fresh_site.outside.requests == []


def test_an_allowed_tunnel_carries_the_request_and_plain_requests_go_one_per_connection(proxy, fresh_site):
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as conn:
        conn.sendall(f"CONNECT 127.0.0.1:{fresh_site.port} HTTP/1.1\r\n\r\n".encode())
        assert conn.recv(1024).startswith(b"HTTP/1.1 200")
        conn.sendall(b"GET /login HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 200") and b"Log in" in answer
    plain = ask(proxy, f"GET {fresh_site.url('/login')} HTTP/1.1\r\nHost: x\r\nProxy-Connection: keep-alive\r\n\r\n".encode())
    assert b"\r\nConnection: close" in plain.split(b"\r\n\r\n", 1)[0]
    refused = ask(proxy, f"GET {fresh_site.outside.url('/secret')} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert refused.startswith(b"HTTP/1.1 403") and fresh_site.outside.requests == []
