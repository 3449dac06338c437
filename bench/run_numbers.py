"""What numbering runs per flow costs an insert (the `runs_run_number` trigger of migration runs/0010).

In a scratch schema of the configured database: a bare copy of runs_run and runs_runcounter, BENCH_INSERTS (3000)
single-row inserts spread over 10 flows, without and with the trigger, each in autocommit (what a webhook's fast path
does: one statement, one commit) and inside one transaction (the statement's own cost), median of BENCH_SAMPLES (3).
Run with `make bench BENCH=run_numbers`.
"""

from __future__ import annotations

import importlib
import os
import statistics
import time
import uuid

from bench.common import setup_django

INSERTS = int(os.environ.get("BENCH_INSERTS", "3000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "3"))


def measure(cursor, *, in_transaction: bool) -> float:
    """Microseconds per insert."""
    if in_transaction:
        cursor.execute("BEGIN")
    started = time.perf_counter()
    for i in range(INSERTS):
        cursor.execute("INSERT INTO runs_run (flow_id, payload) VALUES (%s, '{}')", (i % 10,))
    elapsed = time.perf_counter() - started
    if in_transaction:
        cursor.execute("COMMIT")
    return elapsed / INSERTS * 1e6


def main() -> int:
    setup_django()
    from django.db import connection

    migration = importlib.import_module("apps.runs.migrations.0010_run_number_per_flow")
    results: dict[tuple[bool, bool], list[float]] = {}
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = True
    with raw.cursor() as cursor:
        for _ in range(SAMPLES):
            for with_trigger in (False, True):
                schema = f"bench_numbers_{uuid.uuid4().hex[:8]}"
                cursor.execute(f'CREATE SCHEMA "{schema}"')
                cursor.execute(f'SET search_path TO "{schema}"')
                cursor.execute("CREATE TABLE runs_runcounter (flow_id bigint PRIMARY KEY, last_number integer NOT NULL)")
                columns = "id bigserial PRIMARY KEY, flow_id bigint NOT NULL, number integer NOT NULL DEFAULT 0, payload jsonb"
                cursor.execute(f"CREATE TABLE runs_run ({columns})")
                if with_trigger:
                    for statement in migration.NUMBER_TRIGGER:
                        cursor.execute(statement)
                for in_transaction in (False, True):
                    results.setdefault((with_trigger, in_transaction), []).append(measure(cursor, in_transaction=in_transaction))
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"{'':24} {'autocommit µs':>14} {'in a transaction µs':>20}")
    for with_trigger in (False, True):
        label = "with the trigger" if with_trigger else "without"
        print(
            f"{label:24} {statistics.median(results[(with_trigger, False)]):14.0f} {statistics.median(results[(with_trigger, True)]):20.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
