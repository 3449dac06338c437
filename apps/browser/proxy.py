"""The browser's only way out: a forward proxy in the browser's child process that opens every connection through the
SSRF guard (apps/flows/http/guard.py), on the address it actually connects to.

Request interception (context.route) checks each request's address and says clearly why one was refused, but it does
not see the hops of a redirect and cannot stop a DNS answer that changes between the check and Chromium's own lookup.
So Chromium is started with this proxy for every address, loopback included (`--proxy-bypass-list=<-loopback>`): it
resolves no host name itself, and a redirect, a WebSocket or a name that now points inside opens nothing here.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from urllib.parse import urlsplit

from apps.flows.http.guard import AllowList, GuardError, resolve_checked

HEAD_LIMIT = 64 * 1024
IDLE_SECONDS = 60.0


class Refusal:
    def __init__(self, host: str, error: GuardError):
        self.host, self.error = host, error


class GuardedProxy:
    def __init__(self, allow: AllowList):
        self.allow = allow
        self.refusals: list[Refusal] = []
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def open(self, host: str, port: int) -> socket.socket:
        """A connection to host:port that the guard allows; records and raises the guard's refusal otherwise."""
        try:
            infos = resolve_checked(host, port, self.allow)
        except GuardError as exc:
            self.refusals.append(Refusal(host, exc))
            raise
        last: OSError | None = None
        for _family, _type, _proto, _name, sockaddr in infos:
            try:
                return socket.create_connection((sockaddr[0], port), timeout=30)
            except OSError as exc:
                last = exc
        raise last or OSError(f"could not connect to {host}:{port}")

    def _serve(self, client: socket.socket) -> None:
        upstream = None
        try:
            head, rest = _read_head(client)
            if head is None:
                return
            request_line, _, header_block = head.partition(b"\r\n")
            method, target, version = (request_line.decode("latin-1").split(" ") + ["", ""])[:3]
            if method.upper() == "CONNECT":
                host, _, port = target.rpartition(":")
                upstream = self._connect_or_refuse(client, host.strip("[]"), int(port or 443))
                if upstream is None:
                    return
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _pipe(client, upstream, rest)
                return
            parts = urlsplit(target)
            if parts.scheme != "http" or not parts.hostname:
                client.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = self._connect_or_refuse(client, parts.hostname, parts.port or 80)
            if upstream is None:
                return
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            headers, upgrade = _forwarded_headers(header_block)
            upstream.sendall(f"{method} {path} {version}\r\n".encode("latin-1") + headers + b"\r\n" + rest)
            # One request per connection: the answer tells Chromium to open a new one for the next request, which is
            # checked again (a kept-alive connection could carry a request for another host to this one).
            _pipe(client, upstream, b"", close_answer=not upgrade)
        except (OSError, ValueError):
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    def _connect_or_refuse(self, client: socket.socket, host: str, port: int) -> socket.socket | None:
        try:
            return self.open(host, port)
        except GuardError:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        return None


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    sock.settimeout(IDLE_SECONDS)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > HEAD_LIMIT:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _forwarded_headers(block: bytes) -> tuple[bytes, bool]:
    lines = [line for line in block.split(b"\r\n") if line]
    names = [line.split(b":", 1)[0].strip().lower() for line in lines]
    upgrade = b"upgrade" in names
    kept = []
    for name, line in zip(names, lines, strict=True):
        if name in (b"proxy-connection", b"proxy-authorization") or (name in (b"connection", b"keep-alive") and not upgrade):
            continue
        kept.append(line)
    if not upgrade:
        kept.append(b"Connection: close")
    return b"".join(line + b"\r\n" for line in kept), upgrade


def _close_answer_head(data: bytes) -> bytes:
    head, separator, rest = data.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")]
    return b"\r\n".join([*lines, b"Connection: close"]) + separator + rest


def _pipe(client: socket.socket, upstream: socket.socket, first: bytes, *, close_answer: bool = False) -> None:
    if first:
        upstream.sendall(first)
    pending_head = b"" if close_answer else None
    sockets = [client, upstream]
    for sock in sockets:
        sock.settimeout(None)
    while True:
        readable, _, _ = select.select(sockets, [], [], IDLE_SECONDS)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            if sock is client:
                upstream.sendall(data)
                continue
            if pending_head is not None:
                pending_head += data
                if b"\r\n\r\n" not in pending_head and len(pending_head) < HEAD_LIMIT:
                    continue
                data, pending_head = _close_answer_head(pending_head), None
            client.sendall(data)
