"""The engine's reporter backed by NodeRun rows.

Results are buffered and written in one INSERT, and the buffer is flushed at once after any node with side
effects (HTTP, email, Slack, sub-flows) and at least every FLUSH_SECONDS. Before a node with side effects acts, a
row with status "started" is written (the journal): a run resumed after a crash replays what finished, and a node
found started but not finished is repeated only if it is idempotent (otherwise the run stops with
`side_effect_unconfirmed` and the person decides). At worst a resumed run recomputes a few pure nodes.

DeferredReporter goes further for runs that a webhook caller waits for: the run row itself is written only at the
end, together with its node results, unless the run turns out not to be short and pure (see `materialize`).
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.db import transaction
from django.utils import timezone

from apps.core.metrics import NODE_DURATION
from apps.files.refs import is_file_ref
from apps.flows.engine.reporter import NodeResult
from apps.flows.engine.sampling import sample_outputs
from apps.flows.nodes.registry import load_builtin_nodes
from apps.runs.lease import lease_deadline
from apps.runs.models import NodeRun, Run
from apps.runs.realtime.publisher import publish_node

STARTED = "started"  # a journal row: the node with side effects began and has not been recorded as finished

FULL_OUTPUT_BYTES = 5_000_000
FLUSH_SECONDS = 0.5
LIVE_AFTER_SECONDS = 0.2


def _storable(outputs: dict) -> dict | None:
    encoded = json.dumps(outputs, default=str)
    return json.loads(encoded) if len(encoded) <= FULL_OUTPUT_BYTES else None


def _time(ts: float):
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts else None


class DatabaseReporter:
    def __init__(self, run: Run, *, node_names: dict[str, tuple[str, str]], save_history: bool = True):
        self.run = run
        self.node_names = node_names
        self.save_history = save_history
        self._registry = load_builtin_nodes()
        self._pending: list[NodeRun] = []
        self._events: list[dict] = []
        self._started = self._flushed_at = time.monotonic()

    def node_started(self, node_id: str, run_index: int, items_in: int) -> None:
        """Only a live event: the database keeps finished results. Runs that finish in a blink send their node
        events together; once a run takes longer, or before a node that may take long (waits, code, calls to other
        systems), the events go out at once so pages can show what is running and what has finished."""
        self.run.seq += 1
        self._events.append({"type": "node.started", "node_id": node_id, "run_index": run_index, "items_in": items_in, "seq": self.run.seq})
        if self._has_side_effects(node_id):
            self._journal_started(node_id, run_index, items_in)
        if time.monotonic() - self._started > LIVE_AFTER_SECONDS or self._may_take_long(node_id):
            self._publish_events()

    def _has_side_effects(self, node_id: str) -> bool:
        kind = self._registry.get(self.node_names.get(node_id, ("", ""))[1])
        return kind is not None and kind.side_effects

    def _journal_started(self, node_id: str, run_index: int, items_in: int) -> None:
        """Written and committed before the node acts (with the results before it): if this fails, the node never
        acts; if the process dies after it, the next attempt knows the node may have acted."""
        name, node_type = self.node_names.get(node_id, (node_id, ""))
        self._pending.append(
            NodeRun(
                run=self.run,
                node_id=node_id,
                run_index=run_index,
                status=STARTED,
                node_name=name,
                node_type=node_type,
                items_in=items_in,
                output_sample={},
                started_at=timezone.now(),
                seq=self.run.seq,
            )
        )
        self.flush()

    def _may_take_long(self, node_id: str) -> bool:
        kind = self._registry.get(self.node_names.get(node_id, ("", ""))[1])
        return kind is None or kind.side_effects or kind.blocking

    def node_finished(self, result: NodeResult) -> None:
        name, node_type = self.node_names.get(result.node_id, (result.node_id, ""))
        self.run.seq += 1
        duration = int((result.finished_at - result.started_at) * 1000) if result.started_at and result.finished_at else None
        self._events.append(
            {
                "type": "node.failed" if result.status == "failed" else "node.finished",
                "node_id": result.node_id,
                "run_index": result.run_index,
                "node_status": result.status,
                "items_in": result.items_in,
                "items_out": result.items_out,
                "attempts": result.attempts,
                "duration_ms": duration,
                "finished_at": result.finished_at or None,  # epoch seconds: lets a client measure event delay
                "error": result.error[:500],
                "seq": self.run.seq,
            }
        )
        if duration is not None:
            NODE_DURATION.labels(node_type or "unknown").observe(duration / 1000)
        kind = self._registry.get(node_type)
        journaled = kind is not None and kind.side_effects
        due = journaled or time.monotonic() - self._flushed_at >= FLUSH_SECONDS
        # A journaled node's result is kept even with history off: it is what tells a resumed run the node is done.
        if not self.save_history and result.status != "failed" and not journaled:
            if due:
                self.flush()
            return
        self._pending.append(
            NodeRun(
                run=self.run,
                node_id=result.node_id,
                run_index=result.run_index,
                status=result.status,
                node_name=name,
                node_type=node_type,
                attempts=result.attempts,
                items_in=result.items_in,
                items_out=result.items_out,
                output_sample=sample_outputs(result.outputs),
                outputs=_storable(result.outputs),
                error=result.error[:10_000],
                error_code=result.error_code,
                error_detail=result.error_detail[:20_000],
                error_args=limited_error_args(result.error_args),
                started_at=_time(result.started_at),
                finished_at=_time(result.finished_at),
                seq=self.run.seq,
            )
        )
        if due:
            self.flush()

    def discard(self) -> None:
        """Drops results that could not be written (the run is failing), so nothing tries them again."""
        self._pending = []
        self._events = []

    def flush(self) -> None:
        if self._pending:
            with transaction.atomic():  # a refused row leaves the connection usable for failing the run
                self._write()
            self._pending = []
        self._publish_events()
        self._flushed_at = time.monotonic()

    def _write(self) -> None:
        NodeRun.objects.bulk_create(
            self._pending,
            update_conflicts=True,
            unique_fields=["run", "node_id", "run_index"],
            update_fields=[
                "status",
                "attempts",
                "items_in",
                "items_out",
                "output_sample",
                "outputs",
                "error",
                "error_code",
                "error_detail",
                "error_args",
                "started_at",
                "finished_at",
                "seq",
            ],
        )
        # Each write also renews the run's lease (apps/runs/lease.py renews it through long steps).
        Run.objects.filter(pk=self.run.pk).update(seq=self.run.seq, updated_at=timezone.now(), lease_until=lease_deadline())

    def _publish_events(self) -> None:
        if self._events:
            publish_node(self.run, "nodes", events=self._events)
            self._events = []


class DeferredReporter(DatabaseReporter):
    """Keeps a run that nobody else knows about yet in memory. Before a node with side effects or one that may
    block, once the run takes longer than LIVE_AFTER_SECONDS, and whenever the base class would flush, it calls
    `materialize` (which writes the run row) and then behaves exactly like DatabaseReporter. A crash before that
    point loses only pure computation the caller never got an answer for."""

    def __init__(self, run: Run, *, node_names: dict[str, tuple[str, str]], save_history: bool = True, materialize):
        super().__init__(run, node_names=node_names, save_history=save_history)
        self._materialize = materialize
        self.materialized = False

    @property
    def pending(self) -> list[NodeRun]:
        return self._pending

    def _ensure_materialized(self) -> None:
        if not self.materialized:
            self.materialized = True
            self._materialize()

    def node_started(self, node_id: str, run_index: int, items_in: int) -> None:
        if not self.materialized and (self._may_take_long(node_id) or time.monotonic() - self._started > LIVE_AFTER_SECONDS):
            self._ensure_materialized()
        super().node_started(node_id, run_index, items_in)

    def flush(self) -> None:
        self._ensure_materialized()
        super().flush()

    def _publish_events(self) -> None:
        # Nobody can watch the page of a run that does not exist yet; its row appears with the final event.
        if self.materialized:
            super()._publish_events()


def limited_error_args(args: dict) -> dict:
    """The error's template and values, each value capped like the message itself (values may quote item data). A
    value that is a stored file (a browser step's screenshot of the moment it failed) stays a reference: the run page
    shows it with the error."""
    if not args:
        return {}
    values = {
        k: {key: v[key] for key in ("$file", "name", "mime_type", "size")} if is_file_ref(v) else str(v)[:2_000]
        for k, v in (args.get("values") or {}).items()
    }
    return {"template": str(args.get("template", ""))[:2_000], "values": values}
