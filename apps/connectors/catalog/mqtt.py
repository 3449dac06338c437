"""MQTT (IoT and factory devices): publish a message, and a trigger that starts a run per message of a topic filter.

The broker is reached through the SSRF policy like any URL (apps.connectors.network): paho connects to the address
that was checked, and TLS still checks the certificate against the broker's name. The trigger is a listening trigger
(apps.flows.triggers.listener, supervised by apps/runs/listeners.py): it keeps a persistent session (clean session
off, a stable client ID per trigger), so QoS 1 and 2 messages sent while it is away are kept by the broker; messages
are acknowledged only after their run is saved, and a redelivery (DUP flag) of a message already saved starts
nothing. Retained messages, which the broker sends again on every connection, are skipped unless asked for."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import queue
import socket
import ssl
import tempfile
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from apps.connectors.network import checked_address, port_of
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.registry import register
from apps.flows.triggers.listener import Message

CONNECT_TIMEOUT = 10.0
MAX_PAYLOAD = 256 * 1024
TLS_MODES = ("none", "tls")
PROTOCOLS = ("3.1.1", "5")
# MQTT 5: how long the broker keeps a trigger's session (and its QoS 1/2 messages) while it is away.
SESSION_EXPIRY_SECONDS = 7 * 24 * 3600

# CONNACK return codes of MQTT 3.1.1 (paho's reason codes carry the same numbers for v3 brokers).
_REFUSED = {
    1: gettext_noop("The MQTT broker does not speak this protocol version (%(protocol)s). Choose the other one in the connection."),
    2: gettext_noop("The MQTT broker refused the client ID."),
    3: gettext_noop("The MQTT broker is unavailable right now."),
    4: gettext_noop("The MQTT broker refused the user name or password. Check them in the connection."),
    5: gettext_noop("The MQTT broker does not allow this user to connect. Ask its administrator for access."),
}


class _PinnedClient(mqtt.Client):
    """Connects its socket to the address the SSRF check passed; TLS still verifies the broker's name."""

    def __init__(self, *args, pinned_address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned_address = pinned_address

    def _create_socket_connection(self):  # no proxy either: environment proxies would bypass the check
        return socket.create_connection((self._pinned_address, self._port), timeout=self._connect_timeout)


def _connect_code(reason_code) -> int:
    value = getattr(reason_code, "value", reason_code)
    try:
        value = int(value)
    except (TypeError, ValueError):
        return 0
    return {0x84: 1, 0x85: 2, 0x88: 3, 0x86: 4, 0x87: 5, 0x8C: 4}.get(value, value)


def protocol_of(data: dict) -> str:
    value = str(data.get("protocol") or "3.1.1").strip().lower().removeprefix("mqtt").strip() or "3.1.1"
    value = {"5.0": "5", "v5": "5", "3.1.1": "3.1.1", "311": "3.1.1", "v3.1.1": "3.1.1"}.get(value, value)
    if value not in PROTOCOLS:
        raise NodeError(gettext_noop("The MQTT version must be 3.1.1 or 5."), code="mqtt_bad_protocol")
    return value


def tls_context(data: dict) -> ssl.SSLContext:
    """The TLS settings of a connection: the system's trusted authorities, or the broker's own CA certificate (PEM)
    when given; and the client certificate and key (PEM) when the broker asks clients for one. Bad PEM is a clear
    error; the key is loaded through a private temporary file removed at once (ssl only reads files)."""
    ca = str(data.get("ca_certificate") or "").strip()
    certificate = str(data.get("client_certificate") or "").strip()
    key = str(data.get("client_key") or "").strip()
    try:
        context = ssl.create_default_context(cadata=ca) if ca else ssl.create_default_context()
    except (ssl.SSLError, ValueError):
        raise NodeError(
            gettext_noop("The broker's CA certificate could not be read. Paste the whole certificate, from -----BEGIN to END-----."),
            code="mqtt_bad_certificate",
        ) from None
    if certificate or key:
        if not (certificate and key):
            raise NodeError(
                gettext_noop("A client certificate needs its private key, and a key its certificate: give both."),
                code="mqtt_bad_certificate",
            )
        with tempfile.TemporaryDirectory() as folder:
            cert_path, key_path = os.path.join(folder, "client.crt"), os.path.join(folder, "client.key")
            for path, text in ((cert_path, certificate), (key_path, key)):
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                    handle.write(text + "\n")
            try:
                context.load_cert_chain(cert_path, key_path)
            except (ssl.SSLError, ValueError, OSError):
                raise NodeError(
                    gettext_noop(
                        "The client certificate and key could not be read, or do not belong together. Paste both whole "
                        "(-----BEGIN … END-----); the key must not be protected by a passphrase."
                    ),
                    code="mqtt_bad_certificate",
                ) from None
    return context


def _client(data: dict, *, allow_hosts, client_id: str = "", clean_session: bool = True, manual_ack: bool = False) -> tuple:
    host = str(data.get("host") or "").strip()
    port = port_of(data.get("port"), 8883 if (data.get("tls") or "none") == "tls" else 1883)
    address = checked_address(host, port, allow_hosts=allow_hosts)
    version5 = protocol_of(data) == "5"
    client = _PinnedClient(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        # MQTT 5 has no clean session flag: a persistent session is clean_start off with a session expiry (_connected).
        clean_session=None if version5 else clean_session,
        protocol=mqtt.MQTTv5 if version5 else mqtt.MQTTv311,
        manual_ack=manual_ack,
        pinned_address=address,
    )
    client.connect_timeout = CONNECT_TIMEOUT
    client._ezflow_persistent = version5 and not clean_session
    if str(data.get("tls") or "none").strip().lower() == "tls":
        client.tls_set_context(tls_context(data))
    if data.get("username"):
        client.username_pw_set(str(data["username"]).strip(), str(data.get("password") or ""))
    return client, host, port


def _connected(client, host: str, port: int, *, timeout: float) -> None:
    """Connects and waits for the broker's CONNACK; a refusal or silence is a clear NodeError."""
    outcome: dict = {}
    done = threading.Event()

    def on_connect(_client, _userdata, _flags, reason_code, _properties):
        outcome["code"] = _connect_code(reason_code)
        done.set()

    client.on_connect = on_connect
    options = {}
    if client.protocol == mqtt.MQTTv5:
        properties = Properties(PacketTypes.CONNECT)
        persistent = getattr(client, "_ezflow_persistent", False)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS if persistent else 0
        options = {"clean_start": not persistent, "properties": properties}
    try:
        client.connect(host, port, keepalive=30, **options)
    except ssl.SSLError as exc:
        raise NodeError(
            gettext_noop("The TLS connection to the MQTT broker failed: %(reason)s"), code="mqtt_tls", values={"reason": str(exc)}
        ) from None
    except OSError as exc:
        raise NodeError(
            gettext_noop("Could not connect to the MQTT broker: %(reason)s"),
            code="mqtt_unreachable",
            values={"reason": str(exc) or type(exc).__name__},
        ) from None
    deadline = time.monotonic() + timeout
    while not done.is_set() and time.monotonic() < deadline:
        client.loop(timeout=0.2)
    if not done.is_set():
        raise NodeError(
            gettext_noop("The MQTT broker did not answer within %(seconds)s seconds."),
            code="mqtt_timeout",
            values={"seconds": f"{timeout:g}"},
        )
    if outcome["code"]:
        template = _REFUSED.get(outcome["code"], gettext_noop("The MQTT broker refused the connection (code %(code)s)."))
        protocol = "5" if client.protocol == mqtt.MQTTv5 else "3.1.1"
        raise NodeError(template, code="mqtt_refused", values={"code": str(outcome["code"]), "protocol": protocol})


def _topic(value, *, filter_allowed: bool) -> str:
    topic = str(value or "")
    if not topic or "\x00" in topic or len(topic.encode()) > 65535:
        raise NodeError(gettext_noop("Write the topic, e.g. factory/line1/temperature."), code="mqtt_bad_topic")
    levels = topic.split("/")
    if not filter_allowed:
        if "+" in topic or "#" in topic:
            raise NodeError(
                gettext_noop("A message is published to one topic: “+” and “#” are only for subscribing."), code="mqtt_bad_topic"
            )
        return topic
    for index, level in enumerate(levels):
        if ("#" in level and (level != "#" or index != len(levels) - 1)) or ("+" in level and level != "+"):
            raise NodeError(
                gettext_noop("“%(topic)s” is not a valid topic filter: “+” stands for one whole level and “#” only for the last."),
                code="mqtt_bad_topic",
                values={"topic": topic},
            )
    return topic


def _qos(value) -> int:
    try:
        qos = int(value)
    except (TypeError, ValueError):
        qos = -1
    if qos not in (0, 1, 2):
        raise NodeError(gettext_noop("The QoS level must be 0, 1 or 2."), code="mqtt_bad_qos")
    return qos


@register_credential_kind
class MqttKind(CredentialKind):
    key = "mqtt"
    label = t("MQTT broker", "MQTT 브로커")
    fields = (
        Field("host", t("Broker", "브로커"), secret=False),
        Field("port", t("Port", "포트"), secret=False, required=False, example="1883"),
        Field("username", t("User name", "사용자 이름"), secret=False, required=False),
        Field("password", t("Password", "비밀번호"), required=False),
        Field("tls", t("Security (none, tls)", "보안 방식(none, tls)"), secret=False, required=False),
        Field("protocol", t("MQTT version (3.1.1 or 5)", "MQTT 버전(3.1.1 또는 5)"), secret=False, required=False, example="3.1.1"),
        Field(
            "ca_certificate",
            t("Broker's CA certificate (PEM; empty: publicly trusted)", "브로커의 CA 인증서(PEM, 비우면 공인 인증서)"),
            secret=False,
            required=False,
        ),
        Field("client_certificate", t("Client certificate (PEM)", "클라이언트 인증서(PEM)"), secret=False, required=False),
        Field("client_key", t("Client private key (PEM)", "클라이언트 개인 키(PEM)"), required=False),
    )
    help = t(
        "The broker's name or address (port 1883, or 8883 with TLS) and, if it asks for them, a user name and password, "
        "from whoever runs the broker (e.g. the factory's IoT gateway). A broker inside your company network must be "
        "allowed by an organization admin (Settings → Internal hosts).",
        "브로커 운영자(예: 공장의 IoT 게이트웨이 담당자)에게 받은 브로커 이름이나 주소(포트 1883, TLS는 8883)와, 필요하면 "
        "사용자 이름과 비밀번호를 넣으세요. 회사 내부망의 브로커는 조직 관리자가 허용해야 합니다(설정 → 내부 호스트).",
    )

    def problems(self, data):
        if str(data.get("tls") or "none").strip().lower() not in TLS_MODES:
            return [(gettext_noop("Security must be none or tls."), {})]
        try:
            protocol_of(data)
            if str(data.get("tls") or "").strip().lower() == "tls":
                tls_context(data)
        except NodeError as wrong:
            return [(wrong.template, wrong.values)]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        """Connects and signs in; publishes nothing."""
        try:
            client, host, port = _client(data, allow_hosts=allow_hosts)
            try:
                _connected(client, host, port, timeout=CONNECT_TIMEOUT)
            finally:
                client.disconnect()
        except NodeError as error:
            return TestResult(False, error.template, error.values)
        return TestResult(True, gettext_noop("Connected to the MQTT broker."))


_QOS = Param(
    "qos",
    "select",
    t("QoS", "QoS"),
    default="1",
    options=(
        ("0", t("0 — at most once", "0 — 최대 한 번")),
        ("1", t("1 — at least once", "1 — 최소 한 번")),
        ("2", t("2 — exactly once", "2 — 정확히 한 번")),
    ),
    expressions=False,
)


@register
class MqttPublish(NodeType):
    key = "mqtt.publish"
    category = "action"
    icon = "radio"
    side_effects = True
    label = t("MQTT: publish a message", "MQTT: 메시지 발행")
    description = t(
        "Publishes one message per item to a topic of an MQTT broker (devices, PLC gateways, dashboards).",
        "항목마다 MQTT 브로커의 토픽에 메시지 하나를 발행합니다(장비, PLC 게이트웨이, 대시보드).",
    )
    aliases = ("mqtt", "iot", "publish", "sensor", "엠큐티티", "사물인터넷", "발행", "스마트팩토리")
    params = (
        Param("credential", "credential", t("Connection", "연결"), required=True, credential_type="mqtt", expressions=False),
        Param("topic", "string", t("Topic", "토픽"), required=True, help=t("e.g. factory/line1/commands", "예: factory/line1/commands")),
        Param(
            "payload",
            "text",
            t("Message", "메시지"),
            default="",
            help=t("Text or JSON. Empty: the item itself as JSON.", "글 또는 JSON입니다. 비워 두면 항목 전체를 JSON으로 보냅니다."),
        ),
        _QOS,
        Param(
            "retain",
            "boolean",
            t("Retain", "보존(retain)"),
            default=False,
            help=t(
                "The broker keeps the last retained message of the topic and gives it to every new subscriber.",
                "브로커가 이 토픽의 마지막 보존 메시지를 저장해 새 구독자에게 전달합니다.",
            ),
        ),
    )

    def execute(self, ctx):
        items = list(ctx.each())
        if not items:
            return {"main": []}
        data = ctx.credential(items[0][2]["credential"], "mqtt")
        client, host, port = _client(data, allow_hosts=ctx.host.http_allow_hosts)
        out = []
        try:
            _connected(client, host, port, timeout=min(CONNECT_TIMEOUT, max(ctx.seconds_left(), 1.0)))
            client.loop_start()
            for index, item, params in items:
                topic = _topic(params.get("topic"), filter_allowed=False)
                qos = _qos(params.get("qos", 1))
                payload = params.get("payload")
                if payload in (None, ""):
                    payload = json.dumps(item, ensure_ascii=False, default=str)
                elif not isinstance(payload, str):
                    payload = json.dumps(payload, ensure_ascii=False, default=str)
                body = payload.encode()
                if len(body) > MAX_PAYLOAD:
                    raise NodeError(gettext_noop("The message is larger than 256 KB."), code="mqtt_too_large", params={"item_index": index})
                info = client.publish(topic, body, qos=qos, retain=bool(params.get("retain")))
                if qos:
                    info.wait_for_publish(timeout=max(ctx.seconds_left(), 1.0))
                    if not info.is_published():
                        raise NodeError(
                            gettext_noop("The MQTT broker did not confirm the message in time."),
                            code="mqtt_timeout",
                            values={"seconds": ""},
                        )
                out.append({"topic": topic, "qos": qos, "retain": bool(params.get("retain")), "bytes": len(body)})
        finally:
            client.loop_stop()
            client.disconnect()
        return {"main": out}


def message_item(msg) -> dict:
    raw = bytes(msg.payload or b"")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    data = None
    if text is not None:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    item = {
        "topic": msg.topic,
        "payload": text if text is not None else "",
        "data": data,
        "qos": msg.qos,
        "retain": bool(msg.retain),
        "received_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    if text is None:
        import base64

        item["payload_base64"] = base64.b64encode(raw).decode("ascii")
    return item


def message_key(msg) -> str:
    """The same for a redelivery of this message (same packet ID, topic and body), so it is saved once."""
    if not msg.qos:
        return ""
    digest = hashlib.sha256(msg.topic.encode() + b"\x00" + bytes(msg.payload or b"")).hexdigest()[:32]
    return f"mqtt:{msg.mid}:{digest}"


@register
class MqttMessage(NodeType):
    key = "mqtt.message"
    category = "trigger"
    inputs = ()
    is_trigger = True
    trigger_kind = "listener"
    icon = "radio"
    label = t("MQTT message received", "MQTT 메시지 수신")
    description = t(
        "Stays connected to an MQTT broker and starts the flow with each message of the topics you choose (sensors, "
        "machines, PLC gateways). Messages sent while the flow is off are not delivered; with QoS 1 or 2, those sent "
        "during a short disconnection are.",
        "MQTT 브로커에 계속 연결해 두고 고른 토픽의 메시지마다 플로우를 시작합니다(센서, 설비, PLC 게이트웨이). 플로우가 "
        "꺼져 있을 때 온 메시지는 받지 않으며, QoS 1 또는 2에서는 잠깐 연결이 끊긴 동안 온 메시지도 받습니다.",
    )
    aliases = ("mqtt", "iot", "subscribe", "sensor", "엠큐티티", "사물인터넷", "구독", "센서", "스마트팩토리")
    params = (
        Param("credential", "credential", t("Connection", "연결"), required=True, credential_type="mqtt", expressions=False),
        Param(
            "topic",
            "string",
            t("Topic filter", "토픽 필터"),
            required=True,
            expressions=False,
            help=t(
                "e.g. factory/+/temperature (+ is one level) or factory/line1/# (# is everything below).",
                "예: factory/+/temperature (+는 한 단계) 또는 factory/line1/# (#는 그 아래 전부).",
            ),
        ),
        _QOS,
        Param(
            "include_retained",
            "boolean",
            t("Also start with retained messages", "보존(retain) 메시지로도 시작"),
            default=False,
            expressions=False,
            help=t(
                "The broker sends a topic's retained message again on every connection; by default it starts nothing.",
                "브로커는 연결할 때마다 토픽의 보존 메시지를 다시 보냅니다. 기본값에서는 이 메시지로 시작하지 않습니다.",
            ),
        ),
    )

    def execute(self, ctx):
        return {"main": ctx.items}

    def listen(self, parameters: dict, *, host, session: str, deliver, stop: threading.Event, connected) -> None:
        topic = _topic(parameters.get("topic"), filter_allowed=True)
        qos = _qos(parameters.get("qos", 1))
        include_retained = bool(parameters.get("include_retained"))
        data = host.credential(parameters.get("credential"), "mqtt")
        client, broker, port = _client(data, allow_hosts=host.http_allow_hosts, client_id=session, clean_session=False, manual_ack=True)
        failure: dict = {}
        acks: queue.SimpleQueue = queue.SimpleQueue()  # acknowledged from this thread only: paho is not thread-safe

        def on_subscribe(_client, _userdata, _mid, reason_codes, _properties):
            if any(getattr(code, "is_failure", False) or getattr(code, "value", 0) >= 0x80 for code in reason_codes):
                failure["error"] = NodeError(
                    gettext_noop("The MQTT broker refused the subscription to “%(topic)s”. Ask its administrator for access."),
                    code="mqtt_subscribe_refused",
                    values={"topic": topic},
                )
            else:
                connected()

        def on_message(_client, _userdata, msg):
            if msg.retain and not include_retained:
                _client.ack(msg.mid, msg.qos)
                return
            deliver(
                Message(
                    items=[message_item(msg)], key=message_key(msg), redelivered=bool(msg.dup), ack=lambda: _client.ack(msg.mid, msg.qos)
                )
            )

        def on_disconnect(_client, _userdata, _flags, reason_code, _properties):
            failure.setdefault(
                "error",
                NodeError(
                    gettext_noop("The MQTT broker closed the connection (%(reason)s)."),
                    code="mqtt_disconnected",
                    values={"reason": str(reason_code)},
                ),
            )

        client.on_subscribe, client.on_message = on_subscribe, on_message
        try:
            _connected(client, broker, port, timeout=CONNECT_TIMEOUT)
            client.on_disconnect = on_disconnect
            client.subscribe(topic, qos=qos)
            while not stop.is_set():
                code = client.loop(timeout=0.2)
                while not acks.empty():
                    client.ack(*acks.get())
                if "error" in failure:
                    raise failure["error"]
                if code not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_AGAIN):
                    raise NodeError(
                        gettext_noop("The connection to the MQTT broker was lost (%(reason)s)."),
                        code="mqtt_disconnected",
                        values={"reason": mqtt.error_string(code)},
                    )
        finally:
            client.on_disconnect = None
            client.disconnect()
            client.loop(timeout=0.1)
