"""Run and node events for live pages. Sent after commit (the database is the truth; events are hints with a
per-run `seq`), never with item data, and never on the run's own path: one background sender per process takes
them from a bounded queue in order, so a slow or failing channel layer cannot slow down or fail a run. If the
queue is full events are dropped; clients see the gap in `seq` and refetch."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import zlib

from channels.layers import get_channel_layer
from django.db import connection, transaction

from apps.runs.realtime.groups import group_name, session_digest

logger = logging.getLogger(__name__)
QUEUE_LIMIT = 10_000
LANES = 4


class _Sender:
    """Several lanes drain in parallel, each in order: all events of one run take the same lane (their order is
    what clients rely on), while events of different runs do not wait for each other's round trips."""

    def __init__(self):
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.lanes: list[asyncio.Queue] = []
        self.ready = threading.Event()
        threading.Thread(target=self._run, name="live-events", daemon=True).start()
        self.ready.wait(5)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.lanes = [asyncio.Queue(maxsize=QUEUE_LIMIT // LANES) for _ in range(LANES)]
        self.ready.set()
        self.loop.run_until_complete(asyncio.gather(*(self._drain(lane) for lane in self.lanes)))

    async def _drain(self, lane: asyncio.Queue):
        while True:
            groups, message = await lane.get()
            layer = get_channel_layer()
            if layer is None:
                continue
            try:
                if hasattr(layer, "group_send_many"):  # one statement for all groups (apps.runs.realtime.layers)
                    await layer.group_send_many(groups, message)
                else:  # one message's groups at once; the next message of this lane waits for all of them
                    await asyncio.gather(*(layer.group_send(group, message) for group in groups))
            except Exception:  # best effort: clients refetch from the database on reconnect or a seq gap
                logger.warning("could not publish a live event", exc_info=True)

    def submit(self, groups: list[str], message: dict, key: str) -> None:
        def put():
            try:
                self.lanes[zlib.crc32(key.encode()) % LANES].put_nowait((groups, message))
            except asyncio.QueueFull:
                logger.warning("live event queue full; dropping an event")

        self.loop.call_soon_threadsafe(put)


_sender: _Sender | None = None
_lock = threading.Lock()


def publish_to_groups(groups: list[str], payload: dict) -> None:
    # Group names are t.<schema>.<page>...: every event of one run shares a lane, whichever groups it goes to.
    run_id = payload.get("run_id")
    key = f"{groups[0].split('.')[1]}:{run_id}" if run_id is not None else groups[0]
    _submit_message(groups, {"type": "live.event", "payload": payload}, key=key)


def _submit_message(groups: list[str], message: dict, key: str = "") -> None:
    global _sender
    if _sender is None or _sender.pid != os.getpid():  # started lazily, and again in forked worker processes
        with _lock:
            if _sender is None or _sender.pid != os.getpid():
                _sender = _Sender()
    _sender.submit(groups, message, key or groups[0])


def publish_run(run, event_type: str, **fields) -> None:
    schema = connection.schema_name
    payload = {"type": event_type, "run_id": run.pk, "flow_id": run.flow_id, "status": run.status, "seq": run.seq, **fields}
    groups = [group_name(schema, "flow", run.flow_id), group_name(schema, "runs")]
    if event_type != "run.queued":  # nobody can be watching a run's own page before it exists
        groups.insert(0, group_name(schema, "run", run.pk))
    transaction.on_commit(lambda: publish_to_groups(groups, payload))


def publish_node(run, event_type: str, **fields) -> None:
    """Node events go to the run's page only; `nodes` carries several node events in one message."""
    schema = connection.schema_name
    payload = {"type": event_type, "run_id": run.pk, "seq": run.seq, **fields}
    transaction.on_commit(lambda: publish_to_groups([group_name(schema, "run", run.pk)], payload))


def evict_person(*, schema: str, user_id: int) -> None:
    """Closes every open socket of this person on this organization (they lost access)."""
    groups = [group_name(schema, "user", user_id)]
    transaction.on_commit(lambda: _submit_message(groups, {"type": "access.revoked"}))


def close_organization(*, schema: str) -> None:
    """Closes every open socket of this organization (it was suspended), in whichever process holds them."""
    groups = [group_name(schema, "org")]
    transaction.on_commit(lambda: _submit_message(groups, {"type": "organization.suspended"}))


def end_sessions(*, schemas: list[str], user_id: int, session_key: str | None = None) -> None:
    """Tells this person's sockets that a session ended. With a session key (a sign-out) only the sockets of that
    session close; without one (password changed, account deactivated) each socket checks whether its own session
    is still valid. Only a digest of the key travels through the channel layer."""
    if not schemas:
        return
    message = {"type": "session.ended", "session": session_digest(session_key) if session_key else None}
    groups = [group_name(schema, "user", user_id) for schema in schemas]
    transaction.on_commit(lambda: _submit_message(groups, message))
