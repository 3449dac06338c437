"""The engine's reporter backed by NodeRun rows. Each node's result is committed as soon as it is known."""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import F
from django.utils import timezone

from apps.flows.engine.reporter import NodeResult
from apps.runs.models import NodeRun, Run

SAMPLE_ITEMS = 10
SAMPLE_BYTES = 32_000
FULL_OUTPUT_BYTES = 5_000_000


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

    def _next_seq(self) -> int:
        Run.objects.filter(pk=self.run.pk).update(seq=F("seq") + 1, updated_at=timezone.now())
        self.run.seq += 1
        return self.run.seq

    def node_started(self, node_id: str, run_index: int, items_in: int) -> None:
        if not self.save_history:
            return
        name, node_type = self.node_names.get(node_id, (node_id, ""))
        NodeRun.objects.update_or_create(
            run=self.run,
            node_id=node_id,
            run_index=run_index,
            defaults={
                "status": "running",
                "node_name": name,
                "node_type": node_type,
                "items_in": items_in,
                "started_at": timezone.now(),
                "seq": self._next_seq(),
            },
        )

    def node_finished(self, result: NodeResult) -> None:
        if not self.save_history and result.status != "failed":
            return
        name, node_type = self.node_names.get(result.node_id, (result.node_id, ""))
        NodeRun.objects.update_or_create(
            run=self.run,
            node_id=result.node_id,
            run_index=result.run_index,
            defaults={
                "status": result.status,
                "node_name": name,
                "node_type": node_type,
                "attempts": result.attempts,
                "items_in": result.items_in,
                "items_out": result.items_out,
                "output_sample": _sample(result.outputs),
                "outputs": _storable(result.outputs),
                "error": result.error[:10_000],
                "error_code": result.error_code,
                "error_detail": result.error_detail[:20_000],
                "started_at": _time(result.started_at),
                "finished_at": _time(result.finished_at),
                "seq": self._next_seq(),
            },
        )
