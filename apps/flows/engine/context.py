"""What a node sees while it executes, and the host services the engine needs from the outside."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from apps.flows.engine import expressions
from apps.flows.engine.errors import ExpressionError, NodeError, gettext_noop
from apps.flows.engine.flow_state import GLOBAL, node_key
from apps.flows.engine.jsonsafe import json_safe

if TYPE_CHECKING:
    from apps.flows.engine.graph import Node
    from apps.flows.nodes.base import NodeType


class EngineHost(Protocol):
    """Services from the product around the engine (database, credentials, other flows)."""

    variables: dict
    http_allow_hosts: list[str]  # internal hosts an admin allowed flows to call

    def now(self) -> dt.datetime: ...

    def credential(self, credential_id: Any, credential_type: str) -> dict: ...

    def call_flow(self, flow_ref: Any, items: list[dict], depth: int) -> list[dict]: ...

    def is_cancelled(self) -> bool: ...

    # Optional: `flow_state_load(flow_id)` gives the flow's saved state ($getWorkflowStaticData; engine/flow_state.py).
    # Optional: `files`, a store of the bytes of file references (apps/flows/engine/files.py: FileStore).
    # Optional: `credentials_succeeded(pairs)` is told the (id, type) of credentials a step read once the step
    # succeeded ("last successful use"); `credential_renewed(id, type, refused_token=)` renews an OAuth2 token.


class LocalHost:
    """A host with no database: for tests, benchmarks and single-node previews."""

    def __init__(
        self,
        *,
        variables: dict | None = None,
        credentials: dict | None = None,
        flows: dict | None = None,
        time_zone: str = "Asia/Seoul",
        now: dt.datetime | None = None,
        http_allow_hosts: tuple = (),
    ):
        from zoneinfo import ZoneInfo

        self.variables = variables or {}
        self._credentials = credentials or {}
        self._flows = flows or {}
        self._zone = ZoneInfo(time_zone)
        self._now = now
        self.cancelled = False
        self.http_allow_hosts = list(http_allow_hosts)
        from apps.flows.engine.files import MemoryFiles

        self.files = MemoryFiles()
        self.flow_states: dict = {}  # flow id -> saved state ($getWorkflowStaticData); see flow_state_save

    def now(self) -> dt.datetime:
        return self._now or dt.datetime.now(self._zone)

    def flow_state_load(self, flow_id) -> dict:
        return self.flow_states.get(flow_id) or {}

    def flow_state_save(self, flow_id, changes: dict) -> None:
        from apps.flows.engine.flow_state import merged

        self.flow_states[flow_id] = merged(self.flow_state_load(flow_id), changes)

    def credential(self, credential_id, credential_type):
        found = self._credentials.get(credential_id)
        if found is None or found.get("type") != credential_type:
            raise NodeError(
                gettext_noop("The credential %(credential)s of type %(type)s was not found."),
                code="credential_missing",
                values={"credential": repr(credential_id), "type": str(credential_type)},
            )
        return found["data"]

    def call_flow(self, flow_ref, items, depth):
        from apps.flows.engine.executor import Executor

        graph = self._flows.get(flow_ref)
        if graph is None:
            raise NodeError(gettext_noop("The flow %(flow)s was not found."), code="flow_missing", values={"flow": repr(flow_ref)})
        result = Executor(graph, host=self, depth=depth).run(trigger_items=items)
        if result.status != "success":
            raise NodeError(gettext_noop("The called flow failed: %(reason)s"), code="subflow_failed", values={"reason": str(result.error)})
        return result.last_items

    def is_cancelled(self) -> bool:
        return self.cancelled


# $('Name') / $("Name") / $node["Name"] / $items("Name"), and $node.Name, in JavaScript.
REFERENCED_NODE = re.compile(r"""\$(?:\(|items\(|node\[)\s*(['"`])(.+?)\1""")
REFERENCED_NODE_DOT = re.compile(r"\$node\.([A-Za-z_$][\w$]*)")
STATIC_DATA = "$getWorkflowStaticData"


class NodeOutputs(Mapping):
    """`nodes["Name"]` in expressions: output of an earlier node, built only when an expression asks for it."""

    def __init__(self, outputs_by_node: dict, name_to_id: dict):
        self._outputs = outputs_by_node
        self._ids = name_to_id

    def __getitem__(self, name: str) -> dict:
        node_id = self._ids.get(name)
        if node_id is None or node_id not in self._outputs:
            raise KeyError(name)
        ports = self._outputs[node_id]
        main = ports.get("main")
        if main is None:
            main = next(iter(ports.values()), [])
        return {"json": main[0] if main else {}, "items": main, "outputs": ports}

    def __iter__(self):
        return iter(name for name, node_id in self._ids.items() if node_id in self._outputs)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:  # as the data it stands for: the default would show a memory address
        return repr(dict(self))


class NodeContext:
    def __init__(
        self,
        *,
        node: Node,
        node_type: NodeType,
        inputs: dict[str, list[dict]],
        host: EngineHost,
        scope_base: dict,
        executor,
        run_index: int,
        resumed: bool = False,
    ):
        self.node = node
        self.node_type = node_type
        self.inputs = inputs
        self.host = host
        self.executor = executor
        self.run_index = run_index
        self.resumed = resumed
        self._scope_base = scope_base
        self._raw = {**{p.name: p.default for p in node_type.params}, **node.parameters}
        templates = {p.name for p in node_type.params if p.template}  # filled by the step itself, with its own values
        self._n8n = node.setting("expression_dialect") == "n8n"
        if self._n8n:
            self._dynamic = [key for key, value in self._raw.items() if key not in templates and expressions.n8n_dynamic(value)]
            self._n8n_resolved: dict[int, dict] | None = None
            # a default the step type gives in EZFlow's own expressions (the respond step's "{{ json }}") stays one
            self._ezflow_defaults = [
                p.name for p in node_type.params if p.name not in node.parameters and expressions.has_expressions(p.default)
            ]
        else:
            self._dynamic = [key for key, value in self._raw.items() if key not in templates and expressions.has_expressions(value)]
        self._scope = None  # built on first use, then only json/item/index change per item
        self.deadline = time.monotonic() + float(node.setting("timeout_seconds"))
        self.credentials_used: set = set()  # (id, type) of credentials this step read; see EngineHost.credentials_succeeded

    @property
    def items(self) -> list[dict]:
        return self.inputs.get("main", [])

    def params(self, index: int = 0, item: dict | None = None) -> dict:
        """Parameters with defaults, expressions resolved against item `index` of the main input."""
        if not self._dynamic and not self._n8n:
            return self._raw
        if self._n8n and (self._dynamic or self._ezflow_defaults):
            return self._n8n_params(index, item)
        if self._n8n:
            return self._raw
        if item is None:
            items = self.items
            item = items[index] if index < len(items) else {}
        scope = self._scope
        if scope is None:
            scope = self._scope = dict(self._scope_base)
        scope["json"] = scope["item"] = item
        scope["index"] = index
        resolved = dict(self._raw)
        try:
            for key in self._dynamic:
                resolved[key] = expressions.evaluate(resolved[key], scope)
        except expressions.ExpressionError as exc:
            exc.params.setdefault("item_index", index)
            raise
        return resolved

    def _n8n_params(self, index: int, item: dict | None) -> dict:
        """n8n expressions are JavaScript: all items' values come from one sandbox call, made on first use."""
        items = self.items
        if not self._dynamic:
            resolved = {}
        elif item is not None and not (index < len(items) and items[index] is item):
            items, index = [item], 0  # an item the step made itself: evaluated on its own
            resolved = self._n8n_evaluate(items, [0])[0]
        else:
            if self._n8n_resolved is None:
                count = 1 if self.node.setting("execute_once") else max(len(items), 1)
                self._n8n_resolved = dict(enumerate(self._n8n_evaluate(items, list(range(count)))))
            if index not in self._n8n_resolved:
                self._n8n_resolved[index] = self._n8n_evaluate(items, [index])[0]
            resolved = self._n8n_resolved[index]
        resolved = {**self._raw, **resolved}
        if self._ezflow_defaults:
            if item is None:
                item = items[index] if index < len(items) else {}
            scope = self._scope = self._scope or dict(self._scope_base)
            scope["json"] = scope["item"] = item
            scope["index"] = index
            for key in self._ezflow_defaults:
                resolved[key] = expressions.evaluate(resolved[key], scope)
        return resolved

    def _n8n_evaluate(self, items: list[dict], indexes: list[int]) -> list[dict]:
        from apps.flows.sandbox.javascript import evaluate_n8n
        from apps.flows.sandbox.runner import Limits, SandboxError

        dynamic = {key: self._raw[key] for key in self._dynamic}
        nodes, meta = self.script_scope(json.dumps(dynamic, default=str))
        limits = Limits(cpu_seconds=5, wall_seconds=max(min(10.0, self.seconds_left()), 1.0), memory_mb=128)
        try:
            answers = evaluate_n8n(
                dynamic, items, indexes=indexes, nodes=nodes, meta=meta, limits=limits, on_static=self.script_state_changed
            )
        except SandboxError as exc:
            raise ExpressionError(exc.template, code="expression_error", detail=exc.detail, values=exc.values) from None
        for index, answer in zip(indexes, answers, strict=False):
            if answer.get("errors"):
                first = answer["errors"][0]
                raise ExpressionError(
                    gettext_noop("The n8n expression in “%(path)s” failed: %(reason)s"),
                    values={"path": first.get("path", ""), "reason": first.get("error", "")},
                    params={"item_index": index},
                )
        return [answer.get("params") or {} for answer in answers]

    def each(self):
        """(index, item, parameters) for every input item, honouring `execute once`."""
        items = self.items[:1] if self.node.setting("execute_once") else self.items
        for index, item in enumerate(items):
            self.check_deadline()  # a clock read: cheap enough for every item, and a slow item is one too many
            yield index, item, self.params(index, item)

    def check_deadline(self) -> None:
        """The node's timeout for work done in this process: checked between items, so a long list stops in time."""
        if time.monotonic() > self.deadline:
            seconds = float(self.node.setting("timeout_seconds"))
            raise NodeError(
                gettext_noop("The step took longer than its timeout of %(seconds)s seconds and was stopped."),
                code="timeout",
                values={"seconds": f"{seconds:g}"},
            )

    def credential(self, credential_id: Any, credential_type: str) -> dict:
        if credential_id in (None, ""):
            raise NodeError(gettext_noop("Choose a credential for this step."), code="credential_missing")
        data = self.host.credential(credential_id, credential_type)
        self.credentials_used.add((str(credential_id), credential_type))
        return data

    def renew_credential(self, credential_id: Any, credential_type: str, *, refused_token: str) -> dict | None:
        """The credential's values with a new access token, after the service refused `refused_token` as expired
        (an OAuth2 token revoked or expired before the time the service had given). None when the host cannot renew."""
        renew = getattr(self.host, "credential_renewed", None)
        return renew(credential_id, credential_type, refused_token=refused_token) if renew else None

    def respond(self, *, status: int, body: Any, headers: dict | None = None) -> None:
        body = json_safe(body, path="body")
        self.executor.response = {"status": status, "body": body, "headers": json_safe(headers or {}, path="headers")}

    def idempotency_key(self, item_index: int = 0) -> str | None:
        """A key for this node's call for item `item_index`, the same every time the run executes it (a replay after a
        crash), different for any other run, node, loop pass or item; None outside a recorded run."""
        run_id = (self._scope_base.get("run") or {}).get("id")
        if run_id is None:
            return None
        scope = getattr(self.host, "idempotency_scope", "")
        raw = f"{scope}:{run_id}:{self.node.id}:{self.run_index}:{item_index}"
        return "ezf-" + hashlib.sha256(raw.encode()).hexdigest()[:40]

    def seconds_left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    # Files (docs/files.md): a step puts the returned reference into an item, under "file" by default.
    def file_save(self, data, *, name: str, mime_type: str | None = None) -> dict:
        """Stores bytes (or an open binary file) for this run and returns the item's reference to them."""
        run = self._scope_base.get("run") or {}
        flow = self._scope_base.get("flow") or {}
        return self._file_store().save(data=data, name=name, mime_type=mime_type, run_id=run.get("id"), flow_id=flow.get("id"))

    def file_read(self, ref) -> bytes:
        return self._file_store().read(ref)

    def file_open(self, ref):
        """An open binary file of the stored bytes; close it (a `with` block)."""
        return self._file_store().open(ref)

    def _file_store(self):
        store = getattr(self.host, "files", None)
        if store is None:
            raise NodeError(gettext_noop("Files cannot be stored or read here."), code="files_unavailable")
        return store

    def script_scope(self, text: str) -> tuple[dict, dict]:
        """What JavaScript (a code step, n8n-style expressions) sees besides the items: the main output of the earlier
        steps `text` names (`$('Name')`, `$node["Name"]`, `$items("Name")`) and the run's metadata."""
        outputs = self._scope_base.get("nodes") or {}
        nodes = {}
        names = {found[1] for found in REFERENCED_NODE.findall(text or "")} | set(REFERENCED_NODE_DOT.findall(text or ""))
        for name in names:
            if name in outputs:
                nodes[name] = outputs[name]["items"]
        now = self.host.now()
        run, flow = self._scope_base.get("run") or {}, self._scope_base.get("flow") or {}
        meta = {
            "now": now.isoformat(),
            "timezone": getattr(now.tzinfo, "key", None),
            "run_id": str(run.get("id") or ""),
            "flow_id": str(flow.get("id") or ""),
            "flow_name": str(flow.get("name") or ""),
            "vars": dict(self._scope_base.get("vars") or {}),
        }
        if STATIC_DATA in (text or ""):
            state = self.executor.flow_state
            meta["static"] = {"global": state.get(GLOBAL), "node": state.get(node_key(self.node.name))}
        return nodes, meta

    def script_state_changed(self, static: dict | None) -> None:
        """Keeps what JavaScript left in the flow's state (`$getWorkflowStaticData`) for the rest of the run."""
        if not static:
            return
        state = self.executor.flow_state
        if isinstance(static.get("global"), dict):
            state.put(GLOBAL, static["global"])
        if isinstance(static.get("node"), dict):
            state.put(node_key(self.node.name), static["node"])
