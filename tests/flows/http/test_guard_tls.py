"""The guarded HTTP client reads the system's certificate authorities once per process, not once per request."""

from __future__ import annotations

import ssl
import time

from apps.flows.http.guard import AllowList, GuardedTransport, guarded_client, shared_tls_context


def context_of(client) -> ssl.SSLContext:
    return client._transport._pool._ssl_context


def test_every_guarded_client_shares_one_verifying_tls_context():
    with guarded_client() as first, guarded_client(allow_hosts=("127.0.0.1",)) as second:
        assert context_of(first) is context_of(second) is shared_tls_context()
    context = shared_tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the system's authorities are loaded


def test_a_client_costs_no_certificate_loading():
    shared_tls_context()
    started = time.perf_counter()
    for _ in range(20):
        guarded_client().close()
    assert (time.perf_counter() - started) / 20 < 0.02  # loading the authorities took ~85 ms per client


def test_a_transport_given_its_own_verification_keeps_it():
    own = ssl.create_default_context()
    transport = GuardedTransport(AllowList(()), verify=own)
    assert transport._pool._ssl_context is own
