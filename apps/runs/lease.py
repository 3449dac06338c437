"""Leases of the runs this process executes: while a run holds one, a thread renews it every third of
EZFLOW_RUN_LEASE_SECONDS (also through a step that takes minutes: a code step, a slow HTTP call). When the process
dies the renewals stop, the lease lapses, and the maintenance task (`requeue_stuck_runs`) queues the run again
within seconds instead of waiting for the broker's visibility timeout.

The thread starts on first use in each process (so also in each prefork pool process, after the fork) and writes
with schema-qualified statements on its own connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

logger = logging.getLogger("ezflow.runs")

_held: Counter = Counter()  # (schema, run id) → holders in this process
_lock = threading.Lock()
_thread: threading.Thread | None = None
_thread_pid: int | None = None


def lease_deadline(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(seconds=settings.EZFLOW_RUN_LEASE_SECONDS)


def renew_interval() -> float:
    return max(settings.EZFLOW_RUN_LEASE_SECONDS / 3, 0.5)


@contextmanager
def held(run_id: int):
    """Keeps the lease of run `run_id` (of the current schema) renewed while the block runs."""
    key = (connection.schema_name, run_id)
    with _lock:
        _held[key] += 1
        _ensure_thread()
    try:
        yield
    finally:
        with _lock:
            _held[key] -= 1
            if _held[key] <= 0:
                del _held[key]


def held_runs() -> list[tuple[str, int]]:
    with _lock:
        return list(_held)


def renew_held() -> int:
    """One renewal of every lease this process holds; the number of runs renewed."""
    by_schema: dict[str, list[int]] = {}
    for schema, run_id in held_runs():
        by_schema.setdefault(schema, []).append(run_id)
    if not by_schema:
        return 0
    from apps.runs.models import Run

    quote = connection.ops.quote_name
    table = quote(Run._meta.db_table)
    renewed = 0
    deadline = lease_deadline()
    with connection.cursor() as cursor:
        for schema, ids in by_schema.items():
            cursor.execute(
                f"UPDATE {quote(schema)}.{table} SET lease_until = %s WHERE id = ANY(%s) AND status = 'running'",  # noqa: S608 (names quoted)
                [deadline, ids],
            )
            renewed += cursor.rowcount
    return renewed


def _ensure_thread() -> None:
    global _thread, _thread_pid
    if _thread is not None and _thread.is_alive() and _thread_pid == os.getpid():
        return
    _thread_pid = os.getpid()
    _thread = threading.Thread(target=_renew_forever, name="run-leases", daemon=True)
    _thread.start()


def _renew_forever() -> None:
    stop = threading.Event()
    while not stop.wait(renew_interval()):
        try:
            if renew_held():
                connection.close()  # back to the pool between rounds instead of held by this thread for good
        except Exception:  # the database may be away for a while: the next round tries again with a new connection
            logger.warning("run leases not renewed", exc_info=True)
            connections.close_all()
