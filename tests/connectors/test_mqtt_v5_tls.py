"""MQTT 5 and TLS client certificates: a persistent MQTT 5 session (clean start off, session expiry) keeps QoS 1
messages sent while the trigger is away (Mosquitto at 127.0.0.1:1883), and a Mosquitto started by the test on its own
port with a test-made CA that requires client certificates accepts the connection's certificate and refuses a client
without one."""

import datetime as dt
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from paho.mqtt.enums import CallbackAPIVersion

from apps.connectors.catalog.mqtt import _client, _connected, protocol_of
from apps.flows.credential_kinds import get as credential_kind
from apps.flows.engine.errors import NodeError
from tests.connectors.conftest import credential, run_step

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def _broker_up(port=1883):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError as exc:
        pytest.skip(f"Mosquitto at 127.0.0.1:{port} is not running ({exc})")


def test_the_version_is_read_and_checked():
    assert protocol_of({}) == "3.1.1" and protocol_of({"protocol": "5.0"}) == "5" and protocol_of({"protocol": "MQTT 5"}) == "5"
    with pytest.raises(NodeError):
        protocol_of({"protocol": "4"})
    assert credential_kind("mqtt").problems({"host": "b", "protocol": "6"})


def test_an_mqtt5_persistent_session_keeps_messages_sent_while_away():
    _broker_up()
    data = {"host": "127.0.0.1", "port": "1883", "protocol": "5"}
    topic, session = f"ezflow-test/{uuid.uuid4().hex[:10]}", f"ezflow-v5-{uuid.uuid4().hex[:8]}"
    away, _host, _port = _client(data, allow_hosts=["127.0.0.1"], client_id=session, clean_session=False)
    assert away.protocol == mqtt.MQTTv5
    _connected(away, "127.0.0.1", 1883, timeout=5)
    subscribed = threading.Event()
    away.on_subscribe = lambda *_args: subscribed.set()
    away.subscribe(topic, qos=1)
    deadline = time.monotonic() + 5
    while not subscribed.is_set() and time.monotonic() < deadline:
        away.loop(timeout=0.1)
    assert subscribed.is_set()
    away.disconnect()

    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()
    publisher.publish(topic, b"sent while away", qos=1).wait_for_publish(5)
    publisher.loop_stop()
    publisher.disconnect()

    back, _host, _port = _client(data, allow_hosts=["127.0.0.1"], client_id=session, clean_session=False)
    got = []
    back.on_message = lambda _c, _u, msg: got.append(msg.payload)
    _connected(back, "127.0.0.1", 1883, timeout=5)
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        back.loop(timeout=0.1)
    back.disconnect()
    assert got == [b"sent while away"]  # the broker kept the session: clean start off and a session expiry


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem(value) -> str:
    if isinstance(value, x509.Certificate):
        return value.public_bytes(serialization.Encoding.PEM).decode()
    return value.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def _certificate(name, key, issuer_name, issuer_key, *, ca=False, san=None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def tls_broker():
    """Mosquitto on a free port, TLS with a CA made here, client certificates required. Its files are in a folder the
    broker can read after it drops root (it runs as the user `mosquitto`)."""
    if not os.path.exists(MOSQUITTO):
        pytest.skip("mosquitto is not installed")
    import ipaddress
    import tempfile
    from pathlib import Path

    tmp_path = Path(tempfile.mkdtemp(prefix="ezflow-mqtt-tls-"))
    tmp_path.chmod(0o755)

    ca_key = _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EZFlow test CA")])
    ca = _certificate("EZFlow test CA", ca_key, ca_name, ca_key, ca=True)
    server_key = _key()
    server = _certificate("127.0.0.1", server_key, ca_name, ca_key, san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key = _key()
    client = _certificate("factory-gateway", client_key, ca_name, ca_key)
    for name, value in (("ca.pem", ca), ("server.pem", server), ("server.key", server_key)):
        (tmp_path / name).write_text(_pem(value))
        (tmp_path / name).chmod(0o644)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "mosquitto.conf").write_text(
        f"listener {port} 127.0.0.1\n"
        f"cafile {tmp_path / 'ca.pem'}\ncertfile {tmp_path / 'server.pem'}\nkeyfile {tmp_path / 'server.key'}\n"
        "require_certificate true\nallow_anonymous true\npersistence false\n"
    )
    process = subprocess.Popen([MOSQUITTO, "-c", str(tmp_path / "mosquitto.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.skip(f"mosquitto could not start: {process.stderr.read().decode()[:300]}")
                time.sleep(0.1)
        yield {"port": port, "ca": _pem(ca), "certificate": _pem(client), "key": _pem(client_key), "other_key": _pem(_key())}
    finally:
        process.terminate()
        process.wait(5)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_client_certificate_signs_in_to_a_broker_that_requires_one(organization, owner, tls_broker):
    base = {"host": "127.0.0.1", "port": str(tls_broker["port"]), "tls": "tls", "protocol": "5", "ca_certificate": tls_broker["ca"]}
    with_cert = {**base, "client_certificate": tls_broker["certificate"], "client_key": tls_broker["key"]}
    kind = credential_kind("mqtt")
    assert kind.problems(with_cert) == []
    assert kind.test(with_cert, allow_hosts=["127.0.0.1"]).ok
    refused = kind.test(base, allow_hosts=["127.0.0.1"])  # no client certificate: the broker ends the handshake
    assert not refused.ok
    mismatched = kind.problems({**base, "client_certificate": tls_broker["certificate"], "client_key": tls_broker["other_key"]})
    assert mismatched and "do not belong together" in mismatched[0][0]
    assert "give both" in kind.problems({**base, "client_certificate": tls_broker["certificate"]})[0][0]
    assert "CA certificate" in kind.problems({**base, "ca_certificate": "-----BEGIN CERTIFICATE-----\nnope"})[0][0]

    broker = credential(organization, owner, "mqtt", with_cert).pk
    result = run_step(organization, "mqtt.publish", items=[{"temp": 71}], credential=broker, topic="factory/line1", payload="", qos="1")
    assert result.status == "success", result.error
