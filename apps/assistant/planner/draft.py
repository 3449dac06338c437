"""Building the draft: trigger, steps in sentence order, slots, IF steps, follow-up edits, then validation."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

from apps.assistant.planner import catalog, slots
from apps.assistant.planner import templates as skeletons
from apps.assistant.planner.catalog import FILLER
from apps.assistant.planner.schedule import parse_schedule
from apps.flows.engine.errors import gettext_noop
from apps.flows.engine.validation import validate_graph
from apps.flows.nodes.base import NodeType
from apps.flows.nodes.registry import NodeRegistry, load_builtin_nodes

WEBHOOK_WORDS = re.compile(
    r"웹훅|웹 훅|요청이\s*(?:오|들어오)|요청을\s*받|폼이?\s*제출|webhook|when (?:a|an) (?:request|form|post)|receives? (?:a )?request", re.I
)
REPLACE = re.compile(r"대신|말고|instead of|replace|바꿔|바꾸|change|switch", re.I)
REMOVE = re.compile(r"빼\s*줘|빼고|삭제|지워|없애|remove|delete|drop", re.I)
ALSO = re.compile(r"(?:로|으로|에|에게)도|also|as well|too\b|additionally", re.I)
CLAUSE_SPLIT = re.compile(r"(?:해서|하고|한 뒤|한 다음|후에|하면|,|\.|;|\bthen\b|\band\b|\band then\b)", re.I)
STEP_X, STEP_Y = 280, 200


@dataclass
class Draft:
    graph: dict
    changes: list[dict] = field(default_factory=list)
    # {"code", "template", "values", "node_id"}: the service turns templates into sentences in the person's language.
    missing: list[dict] = field(default_factory=list)
    problems: list = field(default_factory=list)  # validation problems other than credential/parameter placeholders
    understood: list[str] = field(default_factory=list)  # keys of the steps used, in order
    template: dict | None = None  # {"id", "title"} of the marketplace template the draft started from

    @property
    def valid(self) -> bool:
        return not self.problems


def _name(node_type: NodeType, language: str, taken: set[str]) -> str:
    base = node_type.label.get(language) or node_type.label.get("en") or node_type.key
    name, number = base, 2
    while name in taken:
        name, number = f"{base} {number}", number + 1
    taken.add(name)
    return name


def _new_id(graph: dict) -> str:
    used = {n.get("id") for n in graph["nodes"]}
    number = len(used) + 1
    while f"n{number}" in used:
        number += 1
    return f"n{number}"


def _default_text(node_type: NodeType, values: dict, language: str) -> dict:
    """Required message-like fields nobody named: the item from the step before, so the flow runs as drafted."""
    for spec in node_type.params:
        if spec.name in values or not spec.required or spec.default not in (None, "", []):
            continue
        if spec.type in ("text",) or spec.name in ("text", "message", "body"):
            values[spec.name] = "{{ json }}"
        elif spec.name in ("subject", "title"):
            values[spec.name] = "EZFlow" if language == "en" else "EZFlow 알림"
    return values


class _Builder:
    def __init__(self, graph: dict | None, registry: NodeRegistry, language: str):
        self.registry = registry
        self.language = language
        self.graph = copy.deepcopy(graph) if graph else {"nodes": [], "edges": []}
        self.graph.setdefault("nodes", [])
        self.graph.setdefault("edges", [])
        self.taken = {str(n.get("name") or n.get("id")) for n in self.graph["nodes"]}
        self.changes: list[dict] = []

    def node(self, node_id: str) -> dict | None:
        return next((n for n in self.graph["nodes"] if n.get("id") == node_id), None)

    def type_of(self, node: dict) -> NodeType | None:
        return self.registry.get(node.get("type")) if isinstance(node.get("type"), str) else None

    def add(self, node_type: NodeType, parameters: dict, after: str | None, port: str | None = None) -> dict:
        node_id = _new_id(self.graph)
        column = len(self.graph["nodes"])
        node = {
            "id": node_id,
            "name": _name(node_type, self.language, self.taken),
            "type": node_type.key,
            "type_version": node_type.version,
            "parameters": parameters,
            "position": [100 + STEP_X * column, STEP_Y],
        }
        self.graph["nodes"].append(node)
        if after is not None:
            self.connect(after, node_id, port)
        self.changes.append({"action": "added", "node_id": node_id, "type": node_type.key, "name": node["name"]})
        return node

    def connect(self, source: str, target: str, port: str | None = None) -> None:
        source_node = self.node(source)
        source_type = self.type_of(source_node) if source_node else None
        if port is None:
            ports = source_type.output_ports(source_node.get("parameters") or {}) if source_type else ("main",)
            port = "true" if "true" in ports else (ports[0] if ports else "main")
        self.graph["edges"].append({"source": source, "target": target, "source_port": port, "target_port": "main"})

    def remove(self, node_id: str) -> None:
        node = self.node(node_id)
        incoming = [e for e in self.graph["edges"] if e.get("target") == node_id]
        outgoing = [e for e in self.graph["edges"] if e.get("source") == node_id]
        self.graph["edges"] = [e for e in self.graph["edges"] if node_id not in (e.get("source"), e.get("target"))]
        for before in incoming:
            for after in outgoing:
                self.graph["edges"].append({**after, "source": before["source"], "source_port": before.get("source_port", "main")})
        self.graph["nodes"] = [n for n in self.graph["nodes"] if n.get("id") != node_id]
        self.changes.append({"action": "removed", "node_id": node_id, "type": node["type"], "name": node.get("name") or node_id})

    def replace(self, node_id: str, node_type: NodeType, parameters: dict) -> dict:
        old = self.node(node_id)
        self.taken.discard(str(old.get("name")))
        old.update(
            {
                "type": node_type.key,
                "type_version": node_type.version,
                "parameters": parameters,
                "name": _name(node_type, self.language, self.taken),
            }
        )
        self.changes.append({"action": "changed", "node_id": node_id, "type": node_type.key, "name": old["name"]})
        return old

    def last(self) -> str | None:
        """The end of the main chain: a node nothing follows, the latest added."""
        sources = {e.get("source") for e in self.graph["edges"]}
        leaves = [n["id"] for n in self.graph["nodes"] if n["id"] not in sources]
        return leaves[-1] if leaves else (self.graph["nodes"][-1]["id"] if self.graph["nodes"] else None)

    def trigger(self) -> dict | None:
        return next((n for n in self.graph["nodes"] if (t := self.type_of(n)) is not None and t.is_trigger), None)


def _schedule_parameters(node_type: NodeType, cron: str, time_zone: str) -> dict:
    names = {p.name for p in node_type.params}
    values = {"cron": cron, "time_zone": time_zone}
    if "preset" in names:
        values["preset"] = "custom"
    return {k: v for k, v in values.items() if k in names}


def _segments(sentence: str, found: list[catalog.Mention]) -> list[str]:
    """Each mention's part of the sentence: from the end of the one before to the start of the next."""
    parts = []
    for index, _mention in enumerate(found):
        start = found[index - 1].end if index else 0
        end = found[index + 1].start if index + 1 < len(found) else len(sentence)
        parts.append(sentence[start:end])
    return parts


def _trigger_type(sentence: str, registry: NodeRegistry) -> tuple[NodeType | None, dict, str]:
    when = parse_schedule(sentence)
    if when is not None:
        return catalog.trigger_of_kind(registry, "schedule"), {"cron": when.cron}, "schedule"
    if WEBHOOK_WORDS.search(sentence):
        return catalog.trigger_of_kind(registry, "webhook"), {}, "webhook"
    return catalog.trigger_of_kind(registry, "manual"), {}, "manual"


def _condition_at(sentence: str, after: int, before: int) -> re.Match | None:
    for match in slots.CONDITION_CUE.finditer(sentence):
        if after <= match.start() < before:
            return match
    return None


def _unmapped(sentence: str, found: list[catalog.Mention]) -> list[str]:
    """Parts of the sentence that name no step, time, trigger or condition, with words enough to mean something."""
    left = []
    position = 0
    for clause in CLAUSE_SPLIT.split(sentence):
        start = sentence.find(clause, position)
        position = max(position, start + len(clause))
        end = start + len(clause)
        text = clause.strip()
        if not text or any(m.start < end and start < m.end for m in found):
            continue
        if WEBHOOK_WORDS.search(text) or slots.CONDITION_CUE.search(text):
            continue
        content = [w for w in catalog.words(text) if not FILLER.fullmatch(w)]
        if len(content) >= 2:
            left.append(text)
    return left


def placeholders(graph: dict, registry: NodeRegistry, missing: list[dict]) -> None:
    """Credentials and required fields left empty: listed for the person (they stay empty, never invented)."""
    for node in graph["nodes"]:
        node_type = registry.get(node.get("type")) if isinstance(node.get("type"), str) else None
        if node_type is None:
            continue
        parameters = node.get("parameters") or {}
        for spec in node_type.params:
            value = parameters.get(spec.name, spec.default)
            if not spec.required or value not in (None, "", []):
                continue
            if spec.type == "credential":
                missing.append(
                    {
                        "code": "connect",
                        "node_id": node["id"],
                        "credential_type": spec.credential_type,
                        "template": gettext_noop("Connect an account for “%(step)s” (%(field)s)."),
                        "values": {"step": node.get("name") or node["id"], "field": spec.label},
                    }
                )
            else:
                missing.append(
                    {
                        "code": "fill",
                        "node_id": node["id"],
                        "parameter": spec.name,
                        "template": gettext_noop("Fill in “%(field)s” on “%(step)s”."),
                        "values": {"step": node.get("name") or node["id"], "field": spec.label},
                    }
                )


def blocking_problems(graph: dict, registry: NodeRegistry, missing: list[dict]) -> list:
    """What `validate_graph` reports except the placeholders the person fills (empty credentials, listed fields)."""
    accepted = {(m.get("node_id"), "parameters." + m.get("parameter", "credential")) for m in missing if m["code"] == "fill"}
    credential_params = {
        (n["id"], f"parameters.{p.name}")
        for n in graph["nodes"]
        if isinstance(n.get("type"), str) and (t := registry.get(n["type"]))
        for p in t.params
        if p.type == "credential"
    }
    return [
        p
        for p in validate_graph(graph, registry)
        if not (p.code == "required" and ((p.node_id, p.path) in credential_params or (p.node_id, p.path) in accepted))
    ]


def _follow_up(builder: _Builder, sentence: str, found: list[catalog.Mention], time_zone: str) -> list[catalog.Mention]:
    """Edits an existing graph; returns the mentions still to append at the end."""
    registry = builder.registry
    present = {n["type"]: n["id"] for n in builder.graph["nodes"]}
    when = parse_schedule(sentence)
    trigger = builder.trigger()
    if when is not None and trigger is not None and builder.type_of(trigger).trigger_kind == "schedule":
        trigger["parameters"] = {
            **(trigger.get("parameters") or {}),
            **_schedule_parameters(builder.type_of(trigger), when.cron, time_zone),
        }
        builder.changes.append(
            {"action": "changed", "node_id": trigger["id"], "type": trigger["type"], "name": trigger.get("name") or trigger["id"]}
        )
    if_type = catalog.condition_type(registry)
    existing_if = next((n for n in builder.graph["nodes"] if if_type and n["type"] == if_type.key), None)
    cue = slots.CONDITION_CUE.search(sentence)
    if existing_if is not None and cue and REPLACE.search(sentence):
        before = next(
            (builder.type_of(builder.node(e["source"])) for e in builder.graph["edges"] if e["target"] == existing_if["id"]), None
        )
        conditions = slots.condition(sentence, before)
        if conditions:
            existing_if["parameters"] = {**(existing_if.get("parameters") or {}), "conditions": conditions}
            builder.changes.append(
                {"action": "changed", "node_id": existing_if["id"], "type": existing_if["type"], "name": existing_if.get("name")}
            )
            return []
    old = [m for m in found if m.node_type.key in present]
    new = [m for m in found if m.node_type.key not in present]
    if REMOVE.search(sentence) and old and not new:
        for mention in old:
            builder.remove(present[mention.node_type.key])
        return []
    if REPLACE.search(sentence) and old and new:
        target = present[old[0].node_type.key]
        segment = sentence[new[0].start :]
        parameters = _default_text(new[0].node_type, slots.fill(new[0].node_type, segment, builder.language), builder.language)
        builder.replace(target, new[0].node_type, parameters)
        return new[1:]
    if ALSO.search(sentence) and new:
        leaf = builder.last()
        feeding = next((e for e in builder.graph["edges"] if e.get("target") == leaf), None)
        leaf_type = builder.type_of(builder.node(leaf)) if leaf else None
        if feeding is not None and leaf_type is not None and leaf_type.side_effects:
            for mention in new:
                parameters = _default_text(
                    mention.node_type, slots.fill(mention.node_type, sentence[mention.start :], builder.language), builder.language
                )
                node = builder.add(mention.node_type, parameters, None)
                builder.graph["edges"].append({**feeding, "target": node["id"]})
            return []
    if old and not new and not REMOVE.search(sentence):
        # Words for a step already there ("검색어를 '로봇'으로"): refill its parameters from the sentence.
        for mention in old:
            node = builder.node(present[mention.node_type.key])
            values = slots.fill(mention.node_type, sentence, builder.language)
            if values:
                node["parameters"] = {**(node.get("parameters") or {}), **values}
                builder.changes.append({"action": "changed", "node_id": node["id"], "type": node["type"], "name": node.get("name")})
        return []
    return new


def _trigger_kind_of(registry: NodeRegistry):
    def kind(graph: dict) -> str:
        for node in graph.get("nodes") or []:
            node_type = registry.get(node.get("type")) if isinstance(node.get("type"), str) else None
            if node_type is not None and node_type.is_trigger:
                return node_type.trigger_kind or node_type.key
        return ""

    return kind


def _from_template(skeleton: skeletons.Skeleton, sentence: str, found: list[catalog.Mention], language: str, time_zone: str, registry):
    """The template's graph with the request's slots filled: a new schedule on its schedule trigger, the values
    the sentence gives for each step it names (on the template's step of that type), a new amount on its IF."""
    builder = _Builder(None, registry, language)
    builder.graph = copy.deepcopy({"nodes": skeleton.graph.get("nodes") or [], "edges": skeleton.graph.get("edges") or []})
    for node in builder.graph["nodes"]:
        node.setdefault("parameters", {})
        name = node.get("name") or node.get("id")
        builder.changes.append({"action": "added", "node_id": node.get("id"), "type": node.get("type"), "name": name})
    trigger = builder.trigger()
    when = parse_schedule(sentence)
    if when is not None and trigger is not None and builder.type_of(trigger).trigger_kind == "schedule":
        trigger["parameters"] = {**trigger["parameters"], **_schedule_parameters(builder.type_of(trigger), when.cron, time_zone)}
    used: set[str] = set()
    for mention, segment in zip(found, _segments(sentence, found), strict=True):
        node = next((n for n in builder.graph["nodes"] if n.get("type") == mention.node_type.key and n.get("id") not in used), None)
        if node is None:
            continue
        used.add(node["id"])
        node["parameters"].update({k: v for k, v in slots.fill(mention.node_type, segment, language).items() if v not in (None, "", [])})
    if_type = catalog.condition_type(registry)
    cue = slots.CONDITION_CUE.search(sentence) if if_type else None
    existing_if = next((n for n in builder.graph["nodes"] if if_type and n.get("type") == if_type.key), None)
    if cue is not None and existing_if is not None:
        parsed = slots.condition(cue[0], None)
        conditions = existing_if["parameters"].get("conditions") or []
        if parsed and conditions and isinstance(conditions[0], dict):
            existing_if["parameters"]["conditions"] = [{**conditions[0], "right": parsed[0].get("right")}, *conditions[1:]]
    return builder


VARIABLE = re.compile(r"\bvars\.([A-Za-z_][A-Za-z0-9_]*)")


def _variables_to_add(graph: dict, known: set[str] | frozenset[str]) -> list[dict]:
    """Organization variables a template's steps read (`{{ vars.name }}`) that the organization does not have yet."""
    out, seen = [], set(known)
    for node in graph["nodes"]:
        for name in VARIABLE.findall(json.dumps(node.get("parameters") or {}, ensure_ascii=False)):
            if name in seen:
                continue
            seen.add(name)
            out.append(
                {
                    "code": "fill",
                    "node_id": node.get("id"),
                    "template": gettext_noop("Add the organization variable “%(name)s” that “%(step)s” uses."),
                    "values": {"name": name, "step": node.get("name") or node.get("id")},
                }
            )
    return out


def _skeleton(sentence: str, found: list[catalog.Mention], registry: NodeRegistry, templates) -> skeletons.Skeleton | None:
    if not templates:
        return None
    named = list(dict.fromkeys(m.node_type.key for m in found))
    candidates = templates(named, skeletons.content_words(sentence)) if callable(templates) else templates
    if_type = catalog.condition_type(registry)
    chosen = skeletons.closest(
        sentence,
        named_steps=named,
        trigger_kind=_trigger_type(sentence, registry)[2],
        trigger_of=_trigger_kind_of(registry),
        condition_key=if_type.key if if_type and slots.CONDITION_CUE.search(sentence) else None,
        skeletons=candidates,
    )
    return chosen[0] if chosen else None


def plan(
    prompt: str,
    *,
    language: str = "en",
    time_zone: str = "UTC",
    graph: dict | None = None,
    registry: NodeRegistry | None = None,
    templates=None,
    known_variables: set[str] | frozenset[str] = frozenset(),
) -> Draft:
    """`templates`: marketplace templates to start from (`Skeleton`s, or a callable `(named step keys, request
    words) -> Skeleton`s that finds candidates); only a new flow starts from a template, and only when the result
    validates."""
    registry = registry or load_builtin_nodes()
    sentence = " ".join(str(prompt).split())
    builder = _Builder(graph, registry, language)
    found = catalog.mentions(sentence, registry)
    missing: list[dict] = []

    if graph and graph.get("nodes"):
        to_add = _follow_up(builder, sentence, found, time_zone)
        after = builder.last()
        for mention in to_add:
            parameters = _default_text(mention.node_type, slots.fill(mention.node_type, sentence[mention.start :], language), language)
            after = builder.add(mention.node_type, parameters, after)["id"]
    elif (skeleton := _skeleton(sentence, found, registry, templates)) is not None:
        template_builder = _from_template(skeleton, sentence, found, language, time_zone, registry)
        template_missing: list[dict] = []
        placeholders(template_builder.graph, registry, template_missing)
        template_missing += _variables_to_add(template_builder.graph, known_variables)
        if not blocking_problems(template_builder.graph, registry, template_missing):
            return Draft(
                graph=template_builder.graph,
                changes=template_builder.changes,
                missing=template_missing,
                problems=[],
                understood=[n["type"] for n in template_builder.graph["nodes"]],
                template={"id": skeleton.id, "title": skeleton.title},
            )
        return plan(prompt, language=language, time_zone=time_zone, graph=graph, registry=registry)
    else:
        trigger_type, trigger_values, kind = _trigger_type(sentence, registry)
        parameters = _schedule_parameters(trigger_type, trigger_values["cron"], time_zone) if kind == "schedule" else {}
        after = builder.add(trigger_type, parameters, None)["id"]
        if_type = catalog.condition_type(registry)
        segments = _segments(sentence, found)
        previous_end = 0
        previous_type = None
        for mention, segment in zip(found, segments, strict=True):
            cue = _condition_at(sentence, previous_end, mention.start) if if_type else None
            if cue is not None:
                conditions = slots.condition(cue[0], previous_type)
                if conditions:
                    after = builder.add(if_type, {"conditions": conditions}, after)["id"]
            values = _default_text(mention.node_type, slots.fill(mention.node_type, segment, language), language)
            after = builder.add(mention.node_type, values, after)["id"]
            previous_end, previous_type = mention.end, mention.node_type
        if not found:
            missing.append(
                {
                    "code": "no_steps",
                    "template": gettext_noop("I found no step for what should happen. Add steps from the catalog."),
                    "values": {},
                }
            )
    for part in _unmapped(sentence, found):
        hint = catalog.suggestions(part, registry)
        missing.append(
            {
                "code": "unmapped",
                "template": gettext_noop(
                    "I could not turn “%(words)s” into a step. You could call the service's API with the HTTP request step."
                ),
                "values": {"words": part[:120]},
                "suggested_types": [n.key for n in hint],
            }
        )

    placeholders(builder.graph, registry, missing)
    problems = blocking_problems(builder.graph, registry, missing)
    return Draft(
        graph=builder.graph,
        changes=builder.changes,
        missing=missing,
        problems=problems,
        understood=[n["type"] for n in builder.graph["nodes"]],
    )
