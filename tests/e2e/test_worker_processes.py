"""Prefork workers (scale-out's kind): pool processes never share the parent's database connection."""

import time

import pytest

from tests.support.stack import Stack

pytestmark = pytest.mark.stack


def test_a_prefork_worker_keeps_its_heartbeat_connection_through_forks(django_db_setup):
    # Recycling after every task forks again and again while the parent's heartbeat keeps writing.
    stack = Stack(
        worker_concurrency=2, extra_env={"EZFLOW_WORKER_MAX_TASKS_PER_CHILD": "1", "EZFLOW_WORKER_HEARTBEAT_SECONDS": "1"}
    ).start()
    try:
        # Two heartbeats after the pool started (the first one is written before it starts).
        beats, deadline = set(), time.monotonic() + 60
        with stack.http() as client:
            while len(beats) < 3 and time.monotonic() < deadline:
                report = client.get("/healthz").json()
                beats.add(report["checks"]["worker"].get("last_seen"))
                time.sleep(0.2)
        assert len(beats) >= 3, (beats, stack.logs())
        logs = stack.logs()
        assert report["checks"]["worker"]["ok"] is True, report
        assert "heartbeat failed" not in logs, logs
        assert "connection is lost" not in logs, logs
        assert "Traceback" not in logs, logs
    finally:
        stack.stop()
