"""How the engine tells the outside world what happens. The runs app implements it with the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class NodeResult:
    node_id: str
    run_index: int
    status: str  # success | failed | skipped | disabled | pinned | reused
    items_in: int = 0
    items_out: int = 0
    outputs: dict[str, list[dict]] = field(default_factory=dict)
    attempts: int = 0
    started_at: float = 0.0
    finished_at: float = 0.0
    error: str = ""
    error_code: str = ""
    error_detail: str = ""
    error_args: dict = field(default_factory=dict)  # template and values, to say the error in the reader's language


class Reporter(Protocol):
    def node_started(self, node_id: str, run_index: int, items_in: int) -> None: ...

    def node_finished(self, result: NodeResult) -> None: ...


class NullReporter:
    def node_started(self, node_id: str, run_index: int, items_in: int) -> None:
        pass

    def node_finished(self, result: NodeResult) -> None:
        pass


class RecordingReporter:
    """Keeps every event in memory; used by tests and the single-node test run."""

    def __init__(self):
        self.events: list[tuple[str, Any]] = []
        self.results: list[NodeResult] = []

    def node_started(self, node_id: str, run_index: int, items_in: int) -> None:
        self.events.append(("started", node_id))

    def node_finished(self, result: NodeResult) -> None:
        self.events.append((result.status, result.node_id))
        self.results.append(result)
