"""Celery worker parts: a periodic heartbeat row (so /healthz can tell whether runs would execute), beat in a
thread of the worker, database connections that are never shared across a fork, memory given back after runs."""

import ctypes
import ctypes.util
import gc
import logging
import os
import threading

from celery import bootsteps

logger = logging.getLogger(__name__)

_inherited: list = []  # pools copied from the parent by fork: kept, never used or closed (see below)


def record_heartbeat(hostname: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.core.models import WorkerHeartbeat

    try:
        connection.set_schema_to_public()
        WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"last_seen": timezone.now()})
    finally:
        if not connection.in_atomic_block:  # (tests call this inside their transaction)
            connection.close()  # back to the pool; a failed connection is discarded, so the next beat reconnects


def forget_inherited_connections(**_) -> None:
    """In a freshly forked pool process: drop the database connections and pools copied from the parent.

    They share their sockets with the parent's; using or closing them here ("terminate" goes to the server over
    the parent's socket) would break the parent's connection — the heartbeat's "the connection is lost" at start.
    They are dropped without a word to the server, kept referenced so that no finalizer closes them, and the process
    opens its own pool on first use."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _inherited.append(conn.connection)
        conn.connection = None
        pools = getattr(type(conn), "_connection_pools", None)
        if pools:
            _inherited.append(dict(pools))
            pools.clear()


def _resident_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_trim_lock = threading.Lock()


def return_memory(sender=None, **_) -> None:
    """After a task in a process that grew past half the memory limit: free garbage and give freed heap back to the
    system. Prefork pools replace a pool process over the limit (worker_max_memory_per_child); a thread pool cannot,
    so a threads worker still over the limit stops warmly (running tasks finish) and its supervisor starts a fresh one
    (`make run`: the launcher; elsewhere systemd, Kubernetes...)."""
    from django.conf import settings

    limit = settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    if not limit or _resident_kb() < limit // 2 or not _trim_lock.acquire(blocking=False):
        return
    try:
        gc.collect()
        if hasattr(_libc, "malloc_trim"):
            _libc.malloc_trim(0)
        if _resident_kb() > limit and threading.current_thread() is not threading.main_thread():  # a threads pool
            from celery.worker import state

            logger.warning("worker uses %d kB, over its limit of %d kB: stopping to be replaced", _resident_kb(), limit)
            state.should_stop = 0
    finally:
        _trim_lock.release()


class HeartbeatStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        self._beat(worker)
        self.timer_ref = worker.timer.call_repeatedly(settings.EZFLOW_WORKER_HEARTBEAT_SECONDS, self._beat, (worker,), priority=10)

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()

    def _beat(self, worker):
        try:
            record_heartbeat(worker.hostname)
        except Exception:  # a lost database must not kill the worker; /healthz shows the stale beat
            logger.exception("worker heartbeat failed")


class BeatThreadStep(bootsteps.StartStopStep):
    """`--beat-thread`: Celery beat in a thread of this worker, instead of a process of its own (`-B` forks one)."""

    label = "BeatThread"
    conditional = True

    def __init__(self, worker, beat_thread=False, **kwargs):
        self.enabled = bool(beat_thread)
        super().__init__(worker, **kwargs)

    def create(self, worker):
        from celery.beat import EmbeddedService

        return EmbeddedService(worker.app, thread=True, schedule_filename=worker.schedule_filename, scheduler_cls=worker.scheduler)
