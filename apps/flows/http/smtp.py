"""SMTP connections through the SSRF guard (the email step and the SMTP credential's test)."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from apps.flows.http.guard import AllowList, resolve_checked


class _PinnedSMTP(smtplib.SMTP):
    """Connects to the address the SSRF guard checked, while STARTTLS checks the certificate against the host name
    (connecting to the name again could reach another address; connecting to the address alone fails TLS)."""

    def __init__(self, address: str, *args, **kwargs):
        self._pinned_address = address
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        return socket.create_connection((self._pinned_address, port), timeout, self.source_address)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, address: str, *args, **kwargs):
        self._pinned_address = address
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((self._pinned_address, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=host)


@contextmanager
def smtp_session(smtp: dict, *, allow_hosts: Iterable[str], timeout: float) -> Iterator[smtplib.SMTP]:
    """A connected, signed-in SMTP client for the credential's server. Raises GuardError when the server is an
    internal address that is not allowed, OSError or smtplib.SMTPException when the server refuses."""
    host, port = smtp.get("host", ""), int(smtp.get("port") or 587)
    address = resolve_checked(host, port, AllowList(allow_hosts))[0][4][0]
    security = (smtp.get("security") or "starttls").lower()
    if security == "ssl":
        client = _PinnedSMTPSSL(address, host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = _PinnedSMTP(address, host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.get("username"):
            client.login(smtp["username"], smtp.get("password", ""))
        yield client
