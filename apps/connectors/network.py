"""Connections that are not HTTP (databases, MQTT brokers, mail and file servers) through the same SSRF policy as
every URL: the host is resolved once, checked against the platform's policy and the organization's allow-list of
internal hosts (apps.flows.http.guard), and the client connects to that very address, so a name that resolves to
another address on the second look cannot reach an internal host."""

from __future__ import annotations

import socket
from collections.abc import Iterable

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.http.guard import AllowList, GuardError, resolve_checked


def checked_address(host: str, port: int, *, allow_hosts: Iterable[str]) -> str:
    """The IP address to connect to for host:port, or a NodeError (`blocked_address`, `host_not_found`)."""
    host = str(host or "").strip()
    if not host:
        raise NodeError(gettext_noop("The connection has no server address."), code="host_missing")
    if host.startswith("/") or "://" in host:
        raise NodeError(
            gettext_noop("“%(host)s” is not a server name or IP address (write it without a protocol or path)."),
            code="bad_host",
            values={"host": host},
        )
    try:
        return resolve_checked(host, int(port), AllowList(allow_hosts))[0][4][0]
    except GuardError as refused:
        code = "host_not_found" if type(refused).__name__ == "HostNotFound" else "blocked_address"
        raise NodeError(refused.template, code=code, values=refused.values) from None


def port_of(value, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        port = int(str(value).strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise NodeError(gettext_noop("The port must be a number from 1 to 65535."), code="bad_port")
    return port


def connect_pinned(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)
