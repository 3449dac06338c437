"""Runs a flow graph: items flow along edges; each node maps its input items to items on its output ports.

Pure Python: no Django request, DRF or Channels. Progress goes to a Reporter; outside services come from an
EngineHost. Results of nodes that already completed (a resumed or retried run) are replayed instead of executed,
which is what makes a redelivered run safe: no completed node runs twice.
"""

from __future__ import annotations

import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from apps.flows.engine import expressions
from apps.flows.engine.context import EngineHost, LocalHost, NodeContext, NodeOutputs
from apps.flows.engine.errors import EngineError, ExpressionError, NodeError, RunCancelled, Suspend, gettext_noop
from apps.flows.engine.flow_state import FlowState
from apps.flows.engine.graph import Graph, loop_back_edges, reachable, topological_order
from apps.flows.engine.jsonsafe import json_safe_outputs
from apps.flows.engine.reporter import NodeResult, NullReporter, Reporter
from apps.flows.engine.versions import upgrade_graph
from apps.flows.nodes.registry import NodeRegistry, load_builtin_nodes

MAX_DEPTH = 5
MAX_BACKOFF_SECONDS = 30.0
UNCONFIRMED_TEMPLATE = gettext_noop(
    "The step “%(step)s” was interrupted while it was running (its worker or the database stopped), so it may or may "
    "not have been done. Check whether it happened (for example in the system it calls); if it did not, run the flow "
    "again from this step."
)


@dataclass
class RunResult:
    status: str  # success | failed | waiting | cancelled
    last_node: str | None = None
    last_items: list[dict] = field(default_factory=list)
    outputs: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    response: dict | None = None
    error: str = ""
    error_code: str = ""
    error_detail: str = ""
    error_args: dict = field(default_factory=dict)  # template and values, to say the error in the reader's language
    failed_node: str | None = None
    resume_at: Any = None
    waiting_node: str | None = None
    # {key: (as read, as now)} of the flow's state ($getWorkflowStaticData) this run changed; the product saves it
    flow_state_changes: dict = field(default_factory=dict)


class _NodeFailed(Exception):
    def __init__(self, node_id: str, error: EngineError, result: NodeResult):
        super().__init__(error.message)
        self.node_id = node_id
        self.error = error
        self.result = result


def _key(node_id: str, run_index: int) -> str:
    return f"{node_id}#{run_index}"


class Executor:
    def __init__(
        self,
        graph: Graph,
        *,
        host: EngineHost | None = None,
        reporter: Reporter | None = None,
        registry: NodeRegistry | None = None,
        run_meta: dict | None = None,
        flow_meta: dict | None = None,
        completed: dict[str, dict[str, list[dict]]] | None = None,
        pinned: dict[str, list[dict]] | None = None,
        resumed: set[str] | None = None,
        unconfirmed: set[str] | None = None,
        depth: int = 0,
        sleep=time.sleep,
    ):
        self.host = host or LocalHost()
        self.reporter = reporter or NullReporter()
        self.registry = registry or load_builtin_nodes()
        self._load_error: EngineError | None = None
        try:
            graph = upgrade_graph(graph, self.registry)
        except EngineError as exc:
            self._load_error = exc
        self.graph = graph
        self.completed = completed or {}
        self.pinned = pinned or {}
        self.resumed = resumed or set()
        # "node#run_index" of nodes with side effects that an earlier attempt started and never finished.
        self.unconfirmed = unconfirmed or set()
        self.depth = depth
        self.sleep = sleep
        self.run_meta = run_meta or {}  # what steps may record about where they ran (the AI steps' usage)
        self.flow_meta = flow_meta or {}
        load_state = getattr(self.host, "flow_state_load", None)
        self.flow_state = FlowState(load=(lambda: load_state(self.flow_meta.get("id"))) if load_state else None)
        self.response: dict | None = None
        self.outputs: dict[str, dict[str, list[dict]]] = {}
        self.run_counts: dict[str, int] = defaultdict(int)
        self._inbox: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        self._last: tuple[str, list[dict]] | None = None
        self._types = {node_id: self.registry.get(node.type) for node_id, node in graph.nodes.items()}
        loops = {node_id for node_id, node_type in self._types.items() if node_type is not None and node_type.is_loop}
        back = loop_back_edges(graph, loops)
        self._forward = [edge for edge in graph.edges if edge not in back]
        self._back = back
        self._outgoing: dict[str, list] = defaultdict(list)
        for edge in graph.edges:
            self._outgoing[edge.source].append(edge)
        forward_out: dict[str, list] = defaultdict(list)
        for edge in self._forward:
            forward_out[edge.source].append(edge)
        self._forward_out = forward_out
        self._loop_bodies = {
            loop_id: reachable(
                graph, [e.target for e in forward_out[loop_id] if e.source_port == "loop"], stop_at={loop_id}, edges_from=forward_out
            )
            for loop_id in loops
        }
        now = self.host.now()
        self._scope_base = {
            **expressions.helpers(now),
            "nodes": NodeOutputs(self.outputs, {node.name: node.id for node in graph.nodes.values()}),
            "run": run_meta or {},
            "flow": flow_meta or {},
            "vars": self.host.variables,
        }

    # ---- public ----------------------------------------------------------------------------------

    @staticmethod
    def _refused(error: EngineError) -> RunResult:
        return RunResult(status="failed", error=error.message, error_code=error.code, error_args=error.translatable)

    def run(self, *, trigger_items: list[dict] | None = None, start_node: str | None = None) -> RunResult:
        if self._load_error is not None:
            return self._refused(self._load_error)
        if self.depth > MAX_DEPTH:
            too_deep = gettext_noop("Flows may call other flows at most %(max)s levels deep.")
            return self._refused(EngineError(too_deep, code="too_deep", values={"max": MAX_DEPTH}))
        start = start_node or self._default_start()
        if start is None:
            return self._refused(EngineError(gettext_noop("The flow has no trigger to start from."), code="no_trigger"))
        in_bodies = set().union(*self._loop_bodies.values()) if self._loop_bodies else set()
        main = reachable(self.graph, [start], edges_from=self._forward_out) - (in_bodies - {start})
        order = topological_order(main, self._forward)
        if order is None:
            return self._refused(EngineError(gettext_noop("The flow has a cycle that does not go through a loop step."), code="cycle"))
        self._inbox[start]["main"] = list(trigger_items if trigger_items is not None else [{}])
        try:
            self._execute(order, start)
        except _NodeFailed as failure:
            return self._result("failed", failed_node=failure.node_id, error=failure.error)
        except RunCancelled as exc:
            return self._result("cancelled", error=exc)
        except Suspend as suspend:
            result = self._result("waiting")
            result.resume_at = suspend.resume_at
            result.waiting_node = suspend.state.get("node_id")
            return result
        return self._result("success")

    def run_single(self, node_id: str, inputs: dict[str, list[dict]]) -> NodeResult:
        """Test one node on its own with the given input items (pinned or earlier test data)."""
        node = self.graph.nodes[node_id]
        if self._load_error is not None:
            error = self._load_error
            return NodeResult(node_id, 0, "failed", error=error.message, error_code=error.code, error_args=error.translatable)
        try:
            return self._run_node(node, inputs, run_index=0, report=False)
        except _NodeFailed as failure:
            return failure.result

    # ---- scheduling --------------------------------------------------------------------------------

    def _default_start(self) -> str | None:
        triggers = sorted(node_id for node_id, t in self._types.items() if t is not None and t.is_trigger)
        return triggers[0] if triggers else None

    def _execute(self, order: list[str], start: str) -> None:
        for node_id in order:
            if self.host.is_cancelled():
                raise RunCancelled(gettext_noop("The run was cancelled."))
            inputs = self._inbox.pop(node_id, {})
            node_type = self._types[node_id]
            if node_id != start and not any(inputs.values()):
                continue  # nothing arrived: this branch was not taken
            if node_type.is_loop:
                self._run_loop(node_id, inputs)
                continue
            run_index = self.run_counts[node_id]
            result = self._run_node(self.graph.nodes[node_id], dict(inputs), run_index=run_index)
            self._deliver(node_id, result.outputs)

    def _deliver(self, node_id: str, outputs: dict[str, list[dict]], *, ports: set[str] | None = None) -> None:
        self.outputs[node_id] = outputs
        for edge in self._forward_out.get(node_id, []):
            if ports is not None and edge.source_port not in ports:
                continue
            items = outputs.get(edge.source_port)
            if items:
                self._inbox[edge.target][edge.target_port].extend(items)
        for edge in self._back:
            if edge.source == node_id and outputs.get(edge.source_port):
                self._inbox[edge.target]["__returned__"].extend(outputs[edge.source_port])
        main = outputs.get("main")
        if main is not None:
            self._last = (node_id, main)

    def _run_loop(self, loop_id: str, inputs: dict[str, list[dict]]) -> None:
        node = self.graph.nodes[loop_id]
        items = inputs.get("main", [])
        size = max(int(node.parameters.get("batch_size") or 1), 1)
        body = self._loop_bodies[loop_id]
        nested = set().union(*(self._loop_bodies[inner] for inner in body if inner in self._loop_bodies))
        body_order = topological_order(body - nested, self._forward) or []
        returned: list[dict] = []
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            run_index = self.run_counts[loop_id]
            key = _key(loop_id, run_index)
            self.run_counts[loop_id] += 1
            if key not in self.completed:
                self._report_start(loop_id, run_index, len(batch))
                self._report(
                    NodeResult(loop_id, run_index, "success", len(batch), len(batch), {"loop": batch}, 1, time.time(), time.time())
                )
            self._deliver(loop_id, {"loop": batch}, ports={"loop"})
            self._execute(body_order, start=loop_id)
            returned.extend(self._inbox.get(loop_id, {}).pop("__returned__", []))
        done = returned if returned else items
        self._deliver(loop_id, {"done": done}, ports={"done"})

    # ---- one node ------------------------------------------------------------------------------------

    def _run_node(self, node, inputs: dict[str, list[dict]], *, run_index: int, report: bool = True) -> NodeResult:
        node_type = self._types[node.id]
        self.run_counts[node.id] = run_index + 1
        items_in = sum(len(v) for v in inputs.values())
        key = _key(node.id, run_index)
        if key in self.completed:
            outputs = self.completed[key]
            return NodeResult(node.id, run_index, "reused", items_in, _count(outputs), outputs)
        if node.id in self.pinned:
            outputs = {"main": self.pinned[node.id]}
            result = NodeResult(node.id, run_index, "pinned", items_in, _count(outputs), outputs, 0, time.time(), time.time())
            if report:
                self._report_start(node.id, run_index, items_in)
                self._report(result)
            return result
        if report:
            self._report_start(node.id, run_index, items_in)
        started = time.time()
        if node.setting("disabled"):
            outputs = {"main": inputs.get("main", [])}
            result = NodeResult(node.id, run_index, "disabled", items_in, _count(outputs), outputs, 0, started, time.time())
            if report:
                self._report(result)
            return result

        if key in self.unconfirmed and not node_type.is_idempotent(node.parameters):
            self._refuse_unconfirmed(node, run_index, items_in, started, report)

        attempts_allowed = max(int(node.setting("retry_attempts") or 1), 1)
        attempt = 0
        while True:
            attempt += 1
            ctx = NodeContext(
                node=node,
                node_type=node_type,
                inputs=inputs,
                host=self.host,
                scope_base=self._scope_base,
                executor=self,
                run_index=run_index,
                resumed=node.id in self.resumed,
            )
            try:
                # Converted here, for every step, so what is handed on and saved is always plain JSON.
                outputs = json_safe_outputs(node_type.execute(ctx))
                break
            except Suspend as suspend:
                suspend.state.setdefault("node_id", node.id)
                raise
            except RunCancelled:
                raise
            except Exception as exc:  # any failure of a node becomes a node error with the details kept
                error = _as_engine_error(exc)
                if attempt < attempts_allowed:
                    self.sleep(min(float(node.setting("retry_backoff_seconds")) * (2 ** (attempt - 1)), MAX_BACKOFF_SECONDS))
                    continue
                return self._handle_failure(node, inputs, error, run_index, attempt, started, items_in, report)
        if ctx.credentials_used and (succeeded := getattr(self.host, "credentials_succeeded", None)):
            succeeded(ctx.credentials_used)
        result = NodeResult(node.id, run_index, "success", items_in, _count(outputs), outputs, attempt, started, time.time())
        if report:
            self._report(result)
        return result

    def _refuse_unconfirmed(self, node, run_index: int, items_in: int, started: float, report: bool) -> None:
        """Doing it again could do it twice (a second payment, a second email): the run stops here, whatever the
        step's on-error setting, and the person decides (running again from this step confirms it)."""
        error = EngineError(UNCONFIRMED_TEMPLATE, code="side_effect_unconfirmed", values={"step": node.name or node.id})
        result = NodeResult(
            node.id, run_index, "failed", items_in, 0, {}, 0, started, time.time(), error.message, error.code, "", error.translatable
        )
        if report:
            self._report(result)
        raise _NodeFailed(node.id, error, result)

    def _handle_failure(self, node, inputs, error: EngineError, run_index, attempts, started, items_in, report) -> NodeResult:
        mode = node.setting("on_error")
        failed_items = [{**item, "error": {"message": error.message, "code": error.code}} for item in inputs.get("main", [])] or [
            {"error": {"message": error.message, "code": error.code}}
        ]
        if mode == "continue":
            outputs = {"main": failed_items}
        elif mode == "error_output":
            outputs = {"main": [], "error": failed_items}
        else:
            outputs = {}
        result = NodeResult(
            node.id,
            run_index,
            "failed",
            items_in,
            _count(outputs),
            outputs,
            attempts,
            started,
            time.time(),
            error.message,
            error.code,
            error.detail,
            error.translatable,
        )
        if report:
            self._report(result)
        if mode == "stop":
            raise _NodeFailed(node.id, error, result)
        return result

    def _report_start(self, node_id: str, run_index: int, items_in: int) -> None:
        self.reporter.node_started(node_id, run_index, items_in)

    def _report(self, result: NodeResult) -> None:
        self.reporter.node_finished(result)

    def _result(self, status: str, *, failed_node: str | None = None, error: EngineError | None = None) -> RunResult:
        last_node, last_items = self._last if self._last else (None, [])
        return RunResult(
            status=status,
            last_node=last_node,
            last_items=last_items,
            outputs=self.outputs,
            response=self.response,
            error=error.message if error else "",
            error_code=error.code if error else "",
            error_detail=error.detail if error else "",
            error_args=error.translatable if error else {},
            failed_node=failed_node,
            flow_state_changes=self.flow_state.changes(),
        )


def _count(outputs: dict[str, list[dict]]) -> int:
    return sum(len(items) for items in outputs.values())


def _as_engine_error(exc: Exception) -> EngineError:
    if isinstance(exc, (NodeError, ExpressionError, EngineError)):
        return exc
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return NodeError(
        gettext_noop("The step failed unexpectedly: %(error)s: %(reason)s"),
        code="unexpected",
        detail=detail,
        values={"error": type(exc).__name__, "reason": str(exc)},
    )
