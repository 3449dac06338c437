"""A flow's state kept between its runs: n8n's `$getWorkflowStaticData('global' | 'node')`.

A run reads the saved state once, when a step first asks for it; steps change it in memory (later steps of the same
run see the changes) and the run's result carries what changed. Saving is the product's job, and only after a
successful production run (n8n keeps no state from test runs): apps.flows.services.flow_state.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

from apps.flows.engine.errors import NodeError, gettext_noop

MAX_BYTES = 256 * 1024
GLOBAL = "global"


def node_key(node_name: str) -> str:
    return f"node:{node_name}"


def state_size(state: dict) -> int:
    return len(json.dumps(state, ensure_ascii=False, separators=(",", ":"), default=str).encode())


class FlowState:
    def __init__(self, load: Callable[[], dict] | None = None):
        self._load = load
        self._saved: dict | None = None  # as read from the store
        self._current: dict | None = None

    def _ensure(self) -> dict:
        if self._current is None:
            loaded = self._load() if self._load else {}
            self._saved = copy.deepcopy(loaded if isinstance(loaded, dict) else {})
            self._current = copy.deepcopy(self._saved)
        return self._current

    def get(self, key: str) -> dict:
        value = self._ensure().get(key)
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    def put(self, key: str, value: dict) -> None:
        current = self._ensure()
        if not isinstance(value, dict):
            value = {}
        candidate = {**current, key: value}
        if not value:
            candidate.pop(key)
        if state_size(candidate) > MAX_BYTES:
            raise NodeError(
                gettext_noop("The flow's saved state ($getWorkflowStaticData) would be larger than %(kb)s KB; keep less in it."),
                code="flow_state_too_large",
                values={"kb": str(MAX_BYTES // 1024)},
            )
        current.clear()
        current.update(candidate)

    def changes(self) -> dict[str, tuple[dict, dict]]:
        """{key: (as read, as now)} for every key this run changed."""
        if self._current is None:
            return {}
        saved = self._saved or {}
        keys = set(saved) | set(self._current)
        return {k: (saved.get(k) or {}, self._current.get(k) or {}) for k in keys if saved.get(k) != self._current.get(k)}


def merged(stored: dict, changes: dict[str, tuple[dict, dict]]) -> dict:
    """The stored state with a run's changes applied field by field: a field the run did not touch keeps what another
    run saved meanwhile; for a field both changed, the last run to finish wins (as in n8n)."""
    out = copy.deepcopy(stored if isinstance(stored, dict) else {})
    for key, (before, after) in changes.items():
        value = dict(out.get(key) or {})
        for field in set(before) | set(after):
            if field not in after:
                value.pop(field, None)
            elif before.get(field, _MISSING) != after[field]:
                value[field] = after[field]
        if value:
            out[key] = value
        else:
            out.pop(key, None)
    return out


_MISSING = object()
