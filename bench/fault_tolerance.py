"""Fault tolerance under load in scale-out mode (issue 12): the drill of tests/e2e/test_fault_tolerance.py, longer
and at a higher rate, with the platform's default leases.

Its own PostgreSQL and Redis, two web processes, three workers and beat; webhook calls at BENCH_RATE per second
(default 20) whose HTTP step posts a marker to a counting server, and a scheduled flow every minute. After
BENCH_WARMUP seconds (40) a worker is killed -9, BENCH_GAP seconds (50) later Redis restarts empty, and BENCH_GAP
later PostgreSQL restarts (`-m immediate`); BENCH_TAIL seconds (60) of calls follow. Prints what was accepted,
refused, lost, repeated, and the recovery times. Run with `make bench BENCH=fault_tolerance`.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from bench.common import setup_django


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    setup_django()
    import logging

    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per call otherwise
    from tests.support.faults import FaultDrill

    drill = FaultDrill(
        rate=float(os.environ.get("BENCH_RATE", "20")),
        warmup=float(os.environ.get("BENCH_WARMUP", "40")),
        gap=float(os.environ.get("BENCH_GAP", "50")),
        tail=float(os.environ.get("BENCH_TAIL", "60")),
        outage=float(os.environ.get("BENCH_OUTAGE", "3")),
        counter_delay=float(os.environ.get("BENCH_COUNTER_DELAY", "0.1")),
        drain_timeout=180,
        # one organization sends everything here: let it use every worker slot (3 workers x 2)
        extra_env={"EZFLOW_ORG_MAX_CONCURRENT_RUNS": os.environ.get("BENCH_ORG_LIMIT", "6")},
    )
    report = drill.run()
    print(json.dumps(report.summary(), indent=2))
    problems = report.problems()
    for problem in problems[:50]:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
