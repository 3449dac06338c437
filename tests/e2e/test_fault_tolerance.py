"""Proven fault tolerance in scale-out mode (issue 12): real PostgreSQL and Redis of the test's own, two web
processes, three workers and beat. Webhook calls come at a steady rate (and a scheduled flow ticks) while a worker is
killed -9 in the middle of runs, Redis restarts empty and PostgreSQL restarts. Each run's HTTP step posts its
call's marker to a counting server.

Afterwards: every accepted call's run finished and was counted exactly once (or stopped as
side_effect_unconfirmed without a second post), no refused call (503) ran, no run is left queued or running, every
worker is alive, and after each fault a newly accepted run succeeded within 15 seconds. The longer, faster version
is bench/fault_tolerance.py."""

import pytest

from tests.support.faults import FaultDrill

pytestmark = [pytest.mark.stack, pytest.mark.scaleout]


def test_no_run_is_lost_repeated_or_run_when_refused_through_worker_redis_and_postgres_faults(redis_url):
    # redis_url only says scale-out tests are wanted: the drill starts its own Redis (and PostgreSQL) to break them.
    drill = FaultDrill(
        rate=4,
        warmup=6,
        gap=8,
        tail=8,
        extra_env={"EZFLOW_RUN_LEASE_SECONDS": "6", "EZFLOW_RUN_QUEUED_LEASE_SECONDS": "4", "EZFLOW_REQUEUE_SECONDS": "1"},
    )
    report = drill.run()
    summary = report.summary()
    print("fault drill:", summary)
    assert report.accepted, summary
    assert report.problems() == [], f"{summary}\n{report.logs}"
    for fault, seconds in report.recovery.items():
        assert seconds < 15, f"{fault}: first successful run {seconds:.1f}s after the fault\n{summary}"
