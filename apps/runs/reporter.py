"""The engine's reporter backed by NodeRun rows.

Results are buffered and written in one INSERT, and the buffer is flushed at once after any node with side
effects (HTTP, email, Slack, sub-flows) and at least every FLUSH_SECONDS. A run resumed after a crash therefore
never repeats a side effect; at worst it recomputes a few pure nodes.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.utils import timezone

from apps.flows.engine.reporter import NodeResult
from apps.flows.nodes.registry import load_builtin_nodes
from apps.runs.models import NodeRun, Run

SAMPLE_ITEMS = 10
SAMPLE_BYTES = 32_000
FULL_OUTPUT_BYTES = 5_000_000
FLUSH_SECONDS = 0.5


def _sample(outputs: dict[str, list[dict]]) -> dict:
    sample, budget = {}, SAMPLE_BYTES
    for port, items in outputs.items():
        kept = []
        for item in items[:SAMPLE_ITEMS]:
            size = len(json.dumps(item, default=str))
            if size > budget:
                kept.append({"_truncated": True, "size": size})
                break
            budget -= size
            kept.append(item)
        sample[port] = {"items": kept, "count": len(items)}
    return sample


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
        self._flushed_at = time.monotonic()

    def node_started(self, node_id: str, run_index: int, items_in: int) -> None:
        """Live "started" events belong to the realtime layer; the database keeps finished results."""

    def node_finished(self, result: NodeResult) -> None:
        if not self.save_history and result.status != "failed":
            return
        name, node_type = self.node_names.get(result.node_id, (result.node_id, ""))
        self.run.seq += 1
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
                output_sample=_sample(result.outputs),
                outputs=_storable(result.outputs),
                error=result.error[:10_000],
                error_code=result.error_code,
                error_detail=result.error_detail[:20_000],
                started_at=_time(result.started_at),
                finished_at=_time(result.finished_at),
                seq=self.run.seq,
            )
        )
        kind = self._registry.get(node_type)
        if (kind is not None and kind.side_effects) or time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self._pending:
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
                    "started_at",
                    "finished_at",
                    "seq",
                ],
            )
            Run.objects.filter(pk=self.run.pk).update(seq=self.run.seq, updated_at=timezone.now())
            self._pending = []
        self._flushed_at = time.monotonic()
