"""The supervisor of listening triggers (apps.flows.triggers.listener): one thread per worker process keeps, for every
row of core.ListenerEntry that this worker holds the PostgreSQL advisory lock of, one subscriber thread connected.

- One subscriber per trigger across all workers: the lock is a session lock on the supervisor's own connection, so a
  worker that dies gives its triggers back and another worker's supervisor takes them over on its next pass.
- The subscriber threads only talk to the broker; they hand each message to the supervisor's queue, and the
  supervisor saves the run in the organization's schema (apps.runs.services.listeners.listener_deliver) and then
  acknowledges the message, so a crash before the commit has the broker deliver it again.
- A subscriber whose connection fails waits 1, 2, 4 … 60 seconds before connecting again; the failure is written on
  its index row (`failures`, `last_error`) and cleared when it subscribes again.
- A trigger switched off, deleted or changed (another version, other parameters) is stopped on the next pass
  (every EZFLOW_LISTENER_SYNC_SECONDS) and its lock given back.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
import threading
import time
import zlib
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_tenant_model, tenant_context

from apps.core.models import ListenerEntry
from apps.flows.engine.errors import EngineError, NodeError, gettext_noop
from apps.flows.triggers.listener import Message

logger = logging.getLogger("ezflow.runs.listeners")
LOCK_NAMESPACE = 0x455A464C  # "EZFL": advisory locks of listening triggers
MAX_PAUSE = 60.0
BATCH = 200  # messages saved in one transaction at most


def _lock_key(schema: str, flow_id: int) -> int:
    return zlib.crc32(f"{schema}:{flow_id}".encode()) - 2**31


class _ListenerHost:
    """What a listening step may use from its subscriber thread, which never touches the database: the organization's
    allowed internal hosts and the trigger's credentials, read by the supervisor (again after each failure, so a
    corrected password is used on the next attempt)."""

    def __init__(self, allow_hosts: list[str]):
        self.http_allow_hosts = list(allow_hosts)
        self.credentials: dict[tuple[str, str], dict] = {}

    def credential(self, credential_id, credential_type: str) -> dict:
        found = self.credentials.get((str(credential_id), credential_type))
        if found is None:
            raise NodeError(gettext_noop("Choose a credential for this step."), code="credential_missing")
        return found


def _read_credentials(host: _ListenerHost, node_type, parameters: dict) -> None:
    from apps.flows.services.credentials import credential_data

    for param in node_type.params:
        if param.type == "credential" and parameters.get(param.name) not in (None, ""):
            data = credential_data(credential_id=parameters[param.name], credential_type=param.credential_type)
            if data is not None:
                host.credentials[(str(parameters[param.name]), param.credential_type)] = data


@dataclass
class _Subscriber:
    schema: str
    flow_id: int
    version_id: int
    fingerprint: str
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    host: _ListenerHost | None = None
    node_type: object = None
    parameters: dict = field(default_factory=dict)


class ListenerSupervisor:
    def __init__(self, *, name: str = "listeners"):
        self.name = name
        self.messages: queue.Queue = queue.Queue()
        self.subscribers: dict[tuple[str, int], _Subscriber] = {}
        self._locks: psycopg.Connection | None = None
        self._stopped = threading.Event()

    # The advisory locks live on a connection of the supervisor's own, outside Django's pool and transactions.
    def _lock_connection(self) -> psycopg.Connection:
        if self._locks is None or self._locks.closed or self._locks.broken:
            params = connection.get_connection_params()
            for key in ("cursor_factory", "context", "prepare_threshold"):
                params.pop(key, None)
            self._locks = psycopg.connect(**params, autocommit=True, application_name="EZFlow listeners")
            # A new session holds none of the old one's locks: every subscriber must win its lock again.
            for key in list(self.subscribers):
                self._stop_subscriber(key, unlock=False)
        return self._locks

    def _try_lock(self, schema: str, flow_id: int) -> bool:
        row = (
            self._lock_connection().execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, _lock_key(schema, flow_id)]).fetchone()
        )
        return bool(row and row[0])

    def _unlock(self, schema: str, flow_id: int) -> None:
        if self._locks is not None and not self._locks.closed:
            try:
                self._locks.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, _lock_key(schema, flow_id)])
            except psycopg.Error:
                logger.warning("could not release the lock of flow %s in %s", flow_id, schema, exc_info=True)

    def sync(self) -> None:
        """One pass: start subscribers for the index rows this process may hold, stop those no longer wanted."""
        connection.set_schema_to_public()
        entries = list(ListenerEntry.objects.all())
        Organization = get_tenant_model()  # noqa: N806
        live = set(
            Organization.objects.filter(schema_name__in={entry.schema_name for entry in entries})
            .exclude(status=Organization.Status.SUSPENDED)
            .values_list("schema_name", flat=True)
        )
        # A suspended or removed organization's triggers stop listening; they resume when it is reactivated.
        wanted = {(entry.schema_name, entry.flow_id): entry for entry in entries if entry.schema_name in live}
        for key, subscriber in list(self.subscribers.items()):
            entry = wanted.get(key)
            if entry is None or entry.fingerprint != subscriber.fingerprint or entry.version_id != subscriber.version_id:
                self._stop_subscriber(key)
        for key, entry in wanted.items():
            if key in self.subscribers or self._stopped.is_set():
                continue
            if not self._try_lock(entry.schema_name, entry.flow_id):
                continue  # another worker listens for this trigger
            try:
                self._start_subscriber(entry)
            except Exception:
                self._unlock(entry.schema_name, entry.flow_id)
                raise

    def _start_subscriber(self, entry: ListenerEntry) -> None:
        from apps.flows.models import FlowVersion
        from apps.runs.services.listeners import listening_node

        organization = get_tenant_model().objects.filter(schema_name=entry.schema_name).first()
        if organization is None or organization.is_suspended:
            self._unlock(entry.schema_name, entry.flow_id)
            return
        host = _ListenerHost(getattr(organization, "allowed_internal_hosts", None) or [])
        with tenant_context(organization):
            version = FlowVersion.objects.filter(pk=entry.version_id).first()
            found = listening_node(None, version) if version is not None else None
            if found is not None:
                _read_credentials(host, found[1], found[0].get("parameters") or {})
        connection.set_schema_to_public()
        if found is None:
            self._unlock(entry.schema_name, entry.flow_id)
            return
        node, node_type = found
        subscriber = _Subscriber(entry.schema_name, entry.flow_id, entry.version_id, entry.fingerprint)
        subscriber.host, subscriber.node_type, subscriber.parameters = host, node_type, dict(node.get("parameters") or {})
        # Stable across restarts (a broker's persistent session), unique per installation and trigger, and at most
        # the 23 characters every MQTT 3.1.1 broker must accept.
        raw = f"{settings.EZFLOW_BASE_DOMAIN}:{entry.schema_name}:{entry.flow_id}:{node['id']}"
        session = "ezf-" + hashlib.sha256(raw.encode()).hexdigest()[:19]
        subscriber.thread = threading.Thread(
            target=self._listen,
            args=(subscriber, node_type, dict(node.get("parameters") or {}), host, session),
            name=f"listener {entry.schema_name}/{entry.flow_id}",
            daemon=True,
        )
        self.subscribers[(entry.schema_name, entry.flow_id)] = subscriber
        subscriber.thread.start()

    def _listen(self, subscriber: _Subscriber, node_type, parameters: dict, host, session: str) -> None:
        pause = 1.0
        key = (subscriber.schema, subscriber.flow_id)

        def deliver(message: Message) -> None:
            self.messages.put((key, subscriber.version_id, message))

        def connected() -> None:
            nonlocal pause
            pause = 1.0
            subscriber.ready.set()
            self.messages.put((key, None, "connected"))

        while not subscriber.stop.is_set():
            try:
                node_type.listen(parameters, host=host, session=session, deliver=deliver, stop=subscriber.stop, connected=connected)
                subscriber.stop.wait(pause)  # returned without being stopped: never a busy loop
            except Exception as exc:  # every failure: wait, then connect again
                text = exc.message if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
                self.messages.put((key, None, ("failed", text[:2000])))
                logger.info("listener of flow %s in %s failed (%s); again in %.0fs", subscriber.flow_id, subscriber.schema, text, pause)
                subscriber.ready.clear()
                subscriber.stop.wait(pause)
                pause = min(pause * 2, MAX_PAUSE)

    def _stop_subscriber(self, key, *, unlock: bool = True) -> None:
        subscriber = self.subscribers.pop(key, None)
        if subscriber is None:
            return
        subscriber.stop.set()
        if subscriber.thread is not None:
            subscriber.thread.join(timeout=10)
        if unlock:
            self._unlock(*key)

    def drain(self, timeout: float = 0.0) -> int:
        """Saves the runs of the messages received (waiting up to `timeout` for the first); the number saved. A burst
        of messages of one trigger is saved in one transaction, and acknowledged after its commit."""
        started = 0
        wait = timeout
        while True:
            batch = []
            try:
                batch.append(self.messages.get(timeout=wait) if wait > 0 else self.messages.get_nowait())
                while len(batch) < BATCH:
                    batch.append(self.messages.get_nowait())
            except queue.Empty:
                pass
            if not batch:
                return started
            wait = 0
            group: list = []
            for key, version_id, message in batch:
                if group and (not isinstance(message, Message) or (key, version_id) != group[0][:2]):
                    started += self._save(group)
                    group = []
                if isinstance(message, Message):
                    group.append((key, version_id, message))
                else:
                    self._note(key, message)
            if group:
                started += self._save(group)

    def _note(self, key, status) -> None:
        schema, flow_id = key
        connection.set_schema_to_public()
        entry = ListenerEntry.objects.filter(schema_name=schema, flow_id=flow_id)
        if isinstance(status, tuple):  # ("failed", text)
            entry.update(failures=F("failures") + 1, last_error=status[1])
            self._refresh_credentials(key)
        else:
            entry.update(failures=0, last_error="", connected_at=timezone.now())

    def _save(self, group: list) -> int:
        from apps.runs.services.listeners import listener_deliver_many

        (schema, flow_id), version_id = group[0][0], group[0][1]
        subscriber = self.subscribers.get((schema, flow_id))
        if subscriber is None or subscriber.version_id != version_id:
            return 0  # stopped meanwhile: not acknowledged, the broker gives them to whoever listens next
        connection.set_schema_to_public()
        organization = get_tenant_model().objects.filter(schema_name=schema).first()
        if organization is None:
            return 0
        messages = [message for _key, _version, message in group]
        with tenant_context(organization):
            runs = listener_deliver_many(flow_id=flow_id, version_id=version_id, messages=messages)
        connection.set_schema_to_public()
        for message in messages:
            message.ack()
        return sum(run is not None for run in runs)

    def _refresh_credentials(self, key) -> None:
        subscriber = self.subscribers.get(key)
        organization = get_tenant_model().objects.filter(schema_name=key[0]).first()
        if subscriber is None or subscriber.host is None or organization is None:
            return
        subscriber.host.http_allow_hosts = list(getattr(organization, "allowed_internal_hosts", None) or [])
        with tenant_context(organization):
            _read_credentials(subscriber.host, subscriber.node_type, subscriber.parameters)
        connection.set_schema_to_public()

    def run_forever(self) -> None:
        interval = float(settings.EZFLOW_LISTENER_SYNC_SECONDS)
        next_sync = 0.0
        while not self._stopped.is_set():
            try:
                if time.monotonic() >= next_sync:
                    self.sync()
                    next_sync = time.monotonic() + interval
                self.drain(timeout=min(interval, 1.0))
            except (DatabaseError, psycopg.Error):
                logger.warning("listener supervisor lost the database; trying again", exc_info=True)
                close_old_connections()
                connection.close()
                self._stopped.wait(2.0)
            except Exception:
                logger.exception("listener supervisor pass failed")
                self._stopped.wait(2.0)

    def stop(self) -> None:
        self._stopped.set()
        for key in list(self.subscribers):
            self._stop_subscriber(key)
        if self._locks is not None:
            with contextlib.suppress(psycopg.Error):
                self._locks.close()
            self._locks = None


_running: tuple[ListenerSupervisor, threading.Thread] | None = None


def start_in_worker(**_) -> None:
    """Celery's worker_ready: the supervisor in a thread of the worker's main process."""
    global _running
    if not settings.EZFLOW_LISTENERS_ENABLED or _running is not None:
        return
    supervisor = ListenerSupervisor()
    thread = threading.Thread(target=supervisor.run_forever, name="listener supervisor", daemon=True)
    _running = (supervisor, thread)
    thread.start()


def stop_in_worker(**_) -> None:
    global _running
    if _running is None:
        return
    supervisor, thread = _running
    _running = None
    supervisor.stop()
    thread.join(timeout=15)
