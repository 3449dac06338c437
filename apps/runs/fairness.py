"""Fair use of the workers: which queue a run goes to, and how many runs may execute at once.

A run with a blocking step (a code step's child process, an in-place wait) goes to the `runs_slow` queue, so quick
runs never queue behind it. When a worker picks a run, the run takes one of its organization's slots (at most
EZFLOW_ORG_MAX_CONCURRENT_RUNS at once over all workers) and, if blocking, one of the platform's blocking slots
(EZFLOW_BLOCKING_RUNS_MAX). Without a free slot the run is deferred: it goes back to its queue with a short
countdown and leaves the worker slot to another organization; it is never dropped.

Slots are PostgreSQL session advisory locks on the worker's connection, so the limit holds in embedded and
scale-out mode alike, and a worker that dies gives its slots back with its connection.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.flows.nodes.registry import registry

QUICK_QUEUE = "runs"
SLOW_QUEUE = "runs_slow"


def graph_is_blocking(graph: dict) -> bool:
    """Whether a stored graph has a step that waits, sleeps or runs a child process (disabled steps do not count)."""
    for node in graph.get("nodes") or []:
        if not isinstance(node, dict) or (node.get("settings") or {}).get("disabled") is True:
            continue
        node_type = registry.get(node.get("type")) if isinstance(node.get("type"), str) else None
        if node_type is not None and node_type.blocking:
            return True
    return False


def run_queue(*, blocking: bool) -> str:
    return SLOW_QUEUE if blocking else QUICK_QUEUE


def _slot_key(scope: str, slot: int) -> int:
    # The one-bigint advisory lock key space does not overlap the two-int one the runs' own locks use.
    return (zlib.crc32(f"ezflow-run-slot:{scope}".encode()) << 16) + slot


def _take(scope: str, limit: int) -> int | None:
    with connection.cursor() as cursor:
        for slot in range(limit):
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_slot_key(scope, slot)])
            if cursor.fetchone()[0]:
                return _slot_key(scope, slot)
    return None


def _give_back(keys: list[int]) -> None:
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextmanager
def run_slot(*, blocking: bool) -> Iterator[bool]:
    """Holds a slot of the current organization (and a blocking slot) while the block runs; yields False when none
    is free. The schema must already be the run's organization."""
    taken: list[int] = []
    wanted = [(f"org:{connection.schema_name}", settings.EZFLOW_ORG_MAX_CONCURRENT_RUNS)]
    if blocking:
        wanted.append(("blocking", settings.EZFLOW_BLOCKING_RUNS_MAX))
    try:
        for scope, limit in wanted:
            if limit <= 0:
                continue  # no limit
            key = _take(scope, limit)
            if key is None:
                break
            taken.append(key)
        else:
            yield True
            return
        yield False
    finally:
        if taken:
            _give_back(taken)


def defer_seconds(deferrals: int) -> float:
    """Countdown before a deferred run asks again: grows with each deferral, with jitter so they do not align."""
    base = min(settings.EZFLOW_RUN_DEFER_SECONDS * (1 + deferrals / 2), settings.EZFLOW_RUN_DEFER_MAX_SECONDS)
    return base * random.uniform(0.8, 1.2)  # noqa: S311  (spreading retries, not security)


def run_deferred(*, run_id: int, countdown: float = 0.0) -> None:
    """A deferred run is alive, not stuck: the re-queue goes by its queued lease (and updated_at), so both move past
    the moment it asks again."""
    import datetime as dt

    from apps.runs.models import Run

    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=countdown + settings.EZFLOW_RUN_QUEUED_LEASE_SECONDS)
    Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(updated_at=now, lease_until=lease_until)
