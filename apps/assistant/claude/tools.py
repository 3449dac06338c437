"""The tools Claude uses: search the catalog, read a step's parameters, and edit one working copy of the graph (add,
connect, set parameters, remove, validate). Over the node registry only: no request, no database."""

from __future__ import annotations

import copy
import json

from apps.assistant.planner import catalog
from apps.assistant.planner.draft import blocking_problems, placeholders
from apps.flows.nodes.base import NodeType
from apps.flows.nodes.registry import NodeRegistry
from apps.flows.problems import problem_message

STEP_X, STEP_Y = 280, 200
MAX_SEARCH_RESULTS = 12


class ToolFailed(Exception):
    """Told to the model as an `is_error` tool result; the model may try again."""


def _string(arguments: dict, name: str, *, required: bool = True) -> str:
    value = arguments.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ToolFailed(f"`{name}` must be a non-empty string.")
    return value.strip()


TOOL_SPECS = [
    {
        "name": "search_steps",
        "description": "Search the step catalog (triggers and actions) by words in Korean or English. Returns keys, labels and "
        "one-line descriptions. Use it before adding a step; never invent a key.",
        "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
    {
        "name": "step_details",
        "description": "The parameters of a step type (name, type, required, options, credential kind) and its output ports.",
        "input_schema": {"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]},
    },
    {
        "name": "add_step",
        "description": "Add a step of a catalog type. `after`: the id of the step it follows (connected from that step's first "
        "output port, or `port`). Returns the new step's id and name.",
        "input_schema": {
            "type": "object",
            "properties": {
                "key": {"type": "string"},
                "name": {"type": "string"},
                "parameters": {"type": "object"},
                "after": {"type": "string"},
                "port": {"type": "string"},
            },
            "required": ["key"],
        },
    },
    {
        "name": "connect",
        "description": "Connect the output port of one step to another step.",
        "input_schema": {
            "type": "object",
            "properties": {"source": {"type": "string"}, "target": {"type": "string"}, "source_port": {"type": "string"}},
            "required": ["source", "target"],
        },
    },
    {
        "name": "set_parameters",
        "description": "Set parameters of a step (merged into the ones it has; null removes one). Leave credentials empty: "
        "the person connects accounts.",
        "input_schema": {
            "type": "object",
            "properties": {"node_id": {"type": "string"}, "parameters": {"type": "object"}},
            "required": ["node_id", "parameters"],
        },
    },
    {
        "name": "remove_step",
        "description": "Remove a step; the steps before and after it are connected to each other.",
        "input_schema": {"type": "object", "properties": {"node_id": {"type": "string"}}, "required": ["node_id"]},
    },
    {
        "name": "validate",
        "description": "Check the flow. Returns the problems to fix and the placeholders the person fills (accounts to connect).",
        "input_schema": {"type": "object", "properties": {}},
    },
]


def catalog_index(registry: NodeRegistry) -> str:
    """One line per step type (key, English and Korean label): the model's map of what exists (cached in the prompt)."""
    lines = []
    for node_type in sorted(registry.all(), key=lambda n: n.key):
        if node_type.key.startswith("note"):
            continue
        kind = f" [trigger:{node_type.trigger_kind}]" if node_type.is_trigger else ""
        lines.append(f"{node_type.key}{kind}: {node_type.label.get('en', '')} / {node_type.label.get('ko', '')}")
    return "\n".join(lines)


class FlowTools:
    """One working copy of the graph that the tools change."""

    def __init__(self, graph: dict | None, registry: NodeRegistry, language: str):
        self.registry = registry
        self.language = language
        self.graph = copy.deepcopy(graph) if graph else {"nodes": [], "edges": []}
        self.graph.setdefault("nodes", [])
        self.graph.setdefault("edges", [])

    # -- helpers
    def _node(self, node_id: str) -> dict:
        found = next((n for n in self.graph["nodes"] if n.get("id") == node_id), None)
        if found is None:
            raise ToolFailed(f"No step with id {node_id!r}. Steps: {[n.get('id') for n in self.graph['nodes']]}")
        return found

    def _type(self, key: str) -> NodeType:
        node_type = self.registry.get(key)
        if node_type is None:
            raise ToolFailed(f"No step type {key!r} in the catalog. Use search_steps.")
        return node_type

    def _name(self, node_type: NodeType, wanted: str) -> str:
        taken = {str(n.get("name")) for n in self.graph["nodes"]}
        base = wanted or node_type.label.get(self.language) or node_type.label.get("en") or node_type.key
        name, number = base, 2
        while name in taken:
            name, number = f"{base} {number}", number + 1
        return name

    def _new_id(self) -> str:
        used = {n.get("id") for n in self.graph["nodes"]}
        number = len(used) + 1
        while f"n{number}" in used:
            number += 1
        return f"n{number}"

    def _ports(self, node: dict) -> tuple[str, ...]:
        node_type = self.registry.get(node.get("type"))
        return node_type.output_ports(node.get("parameters") or {}) if node_type else ("main",)

    def _parameters(self, node_type: NodeType, values) -> dict:
        if values is None:
            return {}
        if not isinstance(values, dict):
            raise ToolFailed("`parameters` must be an object.")
        known = {p.name: p for p in node_type.params}
        unknown = [name for name in values if name not in known]
        if unknown:
            raise ToolFailed(f"{node_type.key} has no parameter {unknown}. Parameters: {sorted(known)}")
        secret = [name for name, value in values.items() if known[name].type == "credential" and value not in (None, "")]
        if secret:
            raise ToolFailed("Leave credential parameters empty: the person connects the account.")
        return dict(values)

    # -- tools
    def search_steps(self, arguments: dict) -> list[dict]:
        query = _string(arguments, "query")
        found = [m.node_type for m in catalog.mentions(query, self.registry)]
        for node_type in catalog.suggestions(query, self.registry, limit=MAX_SEARCH_RESULTS):
            if node_type not in found:
                found.append(node_type)
        lowered = query.lower()
        for node_type in self.registry.all():
            text = " ".join([node_type.key, *node_type.label.values(), *node_type.aliases]).lower()
            if node_type not in found and lowered in text:
                found.append(node_type)
        return [
            {
                "key": n.key,
                "label": n.label.get(self.language) or n.label.get("en"),
                "description": (n.description.get(self.language) or n.description.get("en") or "")[:160],
                "trigger": n.is_trigger,
            }
            for n in found[:MAX_SEARCH_RESULTS]
        ]

    def step_details(self, arguments: dict) -> dict:
        node_type = self._type(_string(arguments, "key"))
        parameters = []
        for p in node_type.params:
            entry = {"name": p.name, "type": p.type, "label": p.label.get("en"), "required": p.required}
            if p.default not in (None, "", []):
                entry["default"] = p.default
            if p.options:
                entry["options"] = [value for value, _label in p.options]
            if p.credential_type:
                entry["credential_kind"] = p.credential_type
            if p.item_fields:
                entry["item_fields"] = [{"name": f.name, "type": f.type} for f in p.item_fields]
            parameters.append(entry)
        outputs = list(node_type.outputs)
        if node_type.dynamic_outputs:
            outputs = [f"<one per entry of {node_type.dynamic_outputs.source}>", *node_type.dynamic_outputs.then]
        return {"key": node_type.key, "trigger": node_type.is_trigger, "parameters": parameters, "outputs": outputs}

    def add_step(self, arguments: dict) -> dict:
        node_type = self._type(_string(arguments, "key"))
        if node_type.is_trigger and any(
            self.registry.get(n.get("type")) and self.registry.get(n["type"]).is_trigger for n in self.graph["nodes"]
        ):
            raise ToolFailed("The flow already has a trigger: remove it first to use another.")
        parameters = {p.name: p.default for p in node_type.params if p.default not in (None, "", [])}
        parameters.update(self._parameters(node_type, arguments.get("parameters")))
        after = _string(arguments, "after", required=False)
        if after:
            self._node(after)
        node = {
            "id": self._new_id(),
            "name": self._name(node_type, _string(arguments, "name", required=False)),
            "type": node_type.key,
            "type_version": node_type.version,
            "parameters": parameters,
            "position": [100 + STEP_X * len(self.graph["nodes"]), STEP_Y],
        }
        self.graph["nodes"].append(node)
        if after:
            self.connect({"source": after, "target": node["id"], "source_port": arguments.get("port")})
        return {"node_id": node["id"], "name": node["name"]}

    def connect(self, arguments: dict) -> dict:
        source, target = self._node(_string(arguments, "source")), self._node(_string(arguments, "target"))
        ports = self._ports(source)
        port = arguments.get("source_port") or (ports[0] if ports else "main")
        if port not in ports:
            raise ToolFailed(f"{source['id']} has no output port {port!r}. Ports: {list(ports)}")
        target_type = self.registry.get(target.get("type"))
        if target_type is not None and target_type.is_trigger:
            raise ToolFailed("Nothing can connect into a trigger.")
        edge = {"source": source["id"], "target": target["id"], "source_port": port, "target_port": "main"}
        if edge not in self.graph["edges"]:
            self.graph["edges"].append(edge)
        return {"connected": f"{source['id']}.{port} → {target['id']}"}

    def set_parameters(self, arguments: dict) -> dict:
        node = self._node(_string(arguments, "node_id"))
        node_type = self._type(node.get("type"))
        values = self._parameters(node_type, arguments.get("parameters"))
        merged = {**(node.get("parameters") or {}), **values}
        node["parameters"] = {k: v for k, v in merged.items() if v is not None}
        return {"node_id": node["id"], "parameters": node["parameters"]}

    def remove_step(self, arguments: dict) -> dict:
        node = self._node(_string(arguments, "node_id"))
        node_id = node["id"]
        incoming = [e for e in self.graph["edges"] if e.get("target") == node_id]
        outgoing = [e for e in self.graph["edges"] if e.get("source") == node_id]
        self.graph["edges"] = [e for e in self.graph["edges"] if node_id not in (e.get("source"), e.get("target"))]
        for before in incoming:
            for after in outgoing:
                self.graph["edges"].append({**after, "source": before["source"], "source_port": before.get("source_port", "main")})
        self.graph["nodes"] = [n for n in self.graph["nodes"] if n.get("id") != node_id]
        return {"removed": node_id}

    def review(self) -> tuple[list[dict], list]:
        missing: list[dict] = []
        placeholders(self.graph, self.registry, missing)
        return missing, blocking_problems(self.graph, self.registry, missing)

    def validate(self, arguments: dict) -> dict:
        missing, problems = self.review()
        return {
            "valid": not problems,
            "problems": [{"node_id": p.node_id, "path": p.path, "code": p.code, "message": problem_message(p)} for p in problems],
            "placeholders": [{"node_id": m.get("node_id"), "code": m["code"], **m.get("values", {})} for m in missing],
        }

    def call(self, name: str, arguments) -> tuple[str, bool]:
        """The tool's answer as JSON text, and whether it failed."""
        handler = {spec["name"]: getattr(self, spec["name"]) for spec in TOOL_SPECS}.get(name)
        if handler is None:
            return f"Unknown tool {name!r}.", True
        try:
            result = handler(arguments if isinstance(arguments, dict) else {})
        except ToolFailed as failed:
            return str(failed), True
        return json.dumps(result, ensure_ascii=False, default=str), False
