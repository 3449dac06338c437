"""Counting successful runs that are not stored (a flow with run history switched off), for monitoring.

Such runs are the fastest path (nothing is written per run), so they are counted in memory and written in one
statement per organization about once a second by a background thread of the process, and when it exits. A process
killed outright loses at most that second of counts; a failed write keeps the counts for the next try.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import ProgrammingError, connection, transaction

logger = logging.getLogger("ezflow.runs")

_lock = threading.Lock()
_pending: dict[tuple[str, int, dt.datetime], list[int]] = {}  # (schema, flow id, hour) -> [successes, total ms]
_flusher: threading.Thread | None = None


def tally_success(*, schema: str, flow_id: int, finished_at: dt.datetime, duration_ms: int) -> None:
    hour = finished_at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    with _lock:
        entry = _pending.setdefault((schema, flow_id, hour), [0, 0])
        entry[0] += 1
        entry[1] += max(int(duration_ms or 0), 0)
    _ensure_flusher()


def tally_flush() -> int:
    """Writes what was counted; returns how many runs. On a database error the counts stay for the next flush."""
    global _pending
    with _lock:
        taken, _pending = _pending, {}
    if not taken:
        return 0
    by_schema: dict[str, list] = {}
    for (schema, flow_id, hour), (count, total_ms) in taken.items():
        by_schema.setdefault(schema, []).append((flow_id, hour, count, total_ms))
    written = 0
    for schema, rows in by_schema.items():
        try:
            _write(schema, rows)
            written += sum(row[2] for row in rows)
        except ProgrammingError:  # the organization (its schema) was deleted meanwhile: its counts go with it
            logger.warning("run tally dropped: no such organization schema", extra={"organization": schema})
        except Exception:  # a lost connection, a flow deleted meanwhile (its counts go with it next time)
            logger.exception("run tally not written", extra={"organization": schema})
            _restore(schema, rows)
            if not connection.is_usable():
                connection.close()
    return written


def _write(schema: str, rows: list) -> None:
    from apps.flows.models import Flow
    from apps.runs.models import RunTally

    quote = connection.ops.quote_name
    table, flows = (f"{quote(schema)}.{quote(model._meta.db_table)}" for model in (RunTally, Flow))
    values = ", ".join(["(%s, %s::timestamptz, %s, %s)"] * len(rows))
    params = [value for row in rows for value in row]
    # Only flows that still exist: a flow deleted since its runs were counted takes its counts with it.
    sql = (
        f"INSERT INTO {table} AS t (flow_id, hour, successes, duration_ms_total) "  # noqa: S608 (names from metadata)
        f"SELECT v.flow_id, v.hour, v.successes, v.total FROM (VALUES {values}) AS v(flow_id, hour, successes, total) "
        f"JOIN {flows} f ON f.id = v.flow_id "
        "ON CONFLICT (flow_id, hour) DO UPDATE SET successes = t.successes + EXCLUDED.successes, "
        "duration_ms_total = t.duration_ms_total + EXCLUDED.duration_ms_total"
    )
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint when a caller holds a transaction
        cursor.execute(sql, params)


def _restore(schema: str, rows: list) -> None:
    with _lock:
        for flow_id, hour, count, total_ms in rows:
            entry = _pending.setdefault((schema, flow_id, hour), [0, 0])
            entry[0] += count
            entry[1] += total_ms


def _ensure_flusher() -> None:
    global _flusher
    seconds = getattr(settings, "EZFLOW_TALLY_FLUSH_SECONDS", 1.0)
    if _flusher is not None or seconds <= 0:
        return
    with _lock:
        if _flusher is not None:
            return
        _flusher = threading.Thread(target=_flush_forever, args=(seconds,), name="ezflow-run-tally", daemon=True)
        _flusher.start()
        atexit.register(tally_flush)


def _flush_forever(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        try:
            tally_flush()
        except Exception:  # never let the thread die: the next round tries again
            logger.exception("run tally flush failed")
            connection.close()
