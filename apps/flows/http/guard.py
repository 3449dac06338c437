"""Outbound connections that cannot reach internal addresses (SSRF protection).

The check happens when the TCP connection is opened, on the address actually connected to, after DNS
resolution: a name that resolves to a private address, a DNS answer that changes between check and use, or a
redirect to an internal host are all refused the same way. Organization admins may allow-list internal hosts, within
the platform's policy (apps/core/network_policy.py), which is applied here again on every connection: an entry stored
before the policy changed, or a name that now resolves to a forbidden address, opens nothing.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Iterable

import httpcore2
import httpx2
from httpcore2._backends.sync import SyncBackend

from apps.core.network_policy import Policy, address_of, policy
from apps.flows.engine.errors import gettext_noop

# Addresses that are never reachable from flows unless allow-listed (loopback, private, link-local including
# cloud metadata 169.254.169.254, carrier-grade NAT, multicast, reserved, unspecified).
_EXTRA_BLOCKED = [ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("198.18.0.0/15")]


class GuardError(httpcore2.ConnectError):
    """A refusal by the guard: English text, plus the template and values to say it in the reader's language."""

    def __init__(self, template: str, values: dict):
        self.template, self.values = template, values
        super().__init__(template % values)


class BlockedAddress(GuardError):
    pass


class HostNotFound(GuardError):
    pass


def guard_error(exc: BaseException | None) -> GuardError | None:
    """The guard's refusal behind an HTTP client error (httpx wraps the transport's exceptions), if there is one."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, GuardError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def is_internal(address: str) -> bool:
    ip = address_of(address)
    if not ip.is_global or ip.is_multicast:
        return True
    return any(ip in network for network in _EXTRA_BLOCKED if ip.version == network.version)


class AllowList:
    """Host names, IP addresses and CIDR ranges an organization admin has allowed, inside the platform's policy."""

    def __init__(self, entries: Iterable[str] = (), platform: Policy | None = None):
        self.platform = platform or policy()
        self.names: set[str] = set()
        self.networks: list = []
        for raw in entries:
            entry = str(raw).strip().lower()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry.rstrip("."))

    def allows(self, host: str, address: str) -> bool:
        ip = address_of(address)
        if not self.platform.organizations_may_reach(ip):
            return False
        if host.lower().rstrip(".") in self.names:
            return True
        return any(ip.version == network.version and ip in network for network in self.networks)


def reachable(host: str, address: str, allow: AllowList) -> bool:
    if allow.platform.refuses(address_of(address)):
        return False  # the platform's own hosts, even at a public address
    return not is_internal(address) or allow.allows(host, address)


def resolve_checked(host: str, port: int, allow: AllowList) -> list[tuple]:
    """Addresses for host:port that a flow may connect to; raises BlockedAddress if none may be used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise HostNotFound(
            gettext_noop("The host name “%(host)s” could not be found (%(reason)s)."), {"host": host, "reason": exc.strerror}
        ) from None
    usable = [info for info in infos if reachable(host, info[4][0], allow)]
    if not usable:
        if any(allow.platform.refuses(address_of(info[4][0])) for info in infos):
            raise BlockedAddress(
                gettext_noop(
                    "“%(host)s” points to %(address)s, an internal address flows may never call: it belongs to this "
                    "platform's own network (its servers, loopback, link-local or cloud metadata addresses)."
                ),
                {"host": host, "address": infos[0][4][0]},
            )
        raise BlockedAddress(
            gettext_noop(
                "“%(host)s” points to an internal address (%(address)s). Flows may not call internal addresses "
                "unless an organization admin allows the host."
            ),
            {"host": host, "address": infos[0][4][0]},
        )
    return usable


class GuardedBackend(SyncBackend):
    def __init__(self, allow: AllowList):
        self.allow = allow

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last_error: Exception | None = None
        for _family, _type, _proto, _name, sockaddr in resolve_checked(host, port, self.allow):
            try:
                # Connect to the very address that passed the check (TLS still verifies the host name).
                return super().connect_tcp(sockaddr[0], port, timeout, local_address, socket_options)
            except httpcore2.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore2.ConnectError(f"Could not connect to {host}:{port}.")


@functools.cache
def shared_tls_context():
    """The system's certificate authorities, read once per process: loading them took ~85 ms per client, and the HTTP
    and AI steps make a client per request (a shared SSLContext is safe across threads)."""
    return httpcore2.default_ssl_context(_trust_env=False)


class GuardedTransport(httpx2.HTTPTransport):
    def __init__(self, allow: AllowList, **kwargs):
        kwargs.setdefault("verify", shared_tls_context())
        super().__init__(trust_env=False, **kwargs)  # environment proxies would bypass the check
        self._pool = httpcore2.ConnectionPool(ssl_context=self._pool._ssl_context, network_backend=GuardedBackend(allow))


def guarded_client(*, allow_hosts: Iterable[str] = (), timeout: float = 30.0) -> httpx2.Client:
    return httpx2.Client(transport=GuardedTransport(AllowList(allow_hosts)), timeout=timeout, follow_redirects=False, trust_env=False)
