"""What a node type is: a stable key, its parameters, ports, labels in Korean and English, and how it executes.

Node types are pure Python. They receive a NodeContext (items, parameters resolved per item, host services)
and return items per output port. A type also declares everything the rest of the product needs to know about it
(its trigger kind, whether it blocks, its secret parameters, dynamic ports, parameter migrations between versions,
n8n mappings), so that no other module keeps a list of step keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from apps.flows.engine.context import NodeContext
    from apps.flows.nodes.n8n import N8nMapping

Items = list[dict]

PARAM_TYPES = frozenset(
    {"string", "text", "number", "integer", "boolean", "select", "json", "keyvalue", "list", "code", "credential", "conditions"}
)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    label: dict[str, str]
    required: bool = False
    default: Any = None
    help: dict[str, str] = field(default_factory=dict)
    options: tuple[tuple[str, dict[str, str]], ...] = ()
    expressions: bool = True  # whether {{ }} may be used in this parameter
    minimum: float | None = None
    maximum: float | None = None
    credential_type: str = ""
    language: str = ""  # for "code": the language the editor highlights ("python", "javascript")
    item_fields: tuple[Param, ...] = ()  # for "list": the fields of each entry
    # A document template whose `{{ }}` placeholders the step fills itself (with values and loop variables the engine
    # does not know): the engine leaves it as written; validation still checks each placeholder's syntax.
    template: bool = False
    # Shown in the editor only when every named sibling parameter has one of the listed values (its default when
    # unset), e.g. {"auth": ("header", "hmac")}. Hidden values are kept; the engine does not look at this.
    show_if: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    # A chooser the editor offers instead of typing, keyed by a stable string the editor knows (e.g. "ai_module",
    # "ai_module_version"); the stored value is what a person could type, so the engine does not look at this.
    picker: str = ""

    def __post_init__(self):
        assert self.type in PARAM_TYPES, self.type

    def schema(self) -> dict:
        data = {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "required": self.required,
            "default": self.default,
            "help": self.help,
            "expressions": self.expressions,
        }
        if self.options:
            data["options"] = [{"value": value, "label": label} for value, label in self.options]
        if self.minimum is not None:
            data["minimum"] = self.minimum
        if self.maximum is not None:
            data["maximum"] = self.maximum
        if self.credential_type:
            data["credential_type"] = self.credential_type
        if self.language:
            data["language"] = self.language
        if self.item_fields:
            data["item_fields"] = [p.schema() for p in self.item_fields]
        if self.picker:
            data["picker"] = self.picker
        if self.show_if:
            data["show_if"] = {name: list(values) for name, values in self.show_if.items()}
        return data


def t(en: str, ko: str) -> dict[str, str]:
    return {"en": en, "ko": ko}


@dataclass(frozen=True)
class DynamicOutputs:
    """Outputs "0".."n-1", one per entry of the list parameter `source`, followed by the fixed ports `then`."""

    source: str
    then: tuple[str, ...] = ()

    def ports(self, parameters: dict) -> tuple[str, ...]:
        entries = parameters.get(self.source) or []
        count = len(entries) if isinstance(entries, (list, tuple)) else 0
        return tuple(str(index) for index in range(count)) + self.then

    def describe(self) -> dict:
        return {"from": self.source, "then": list(self.then)}


class TypeVersionError(ValueError):
    """A stored node whose `type_version` this server cannot bring to the type's current version."""

    def __init__(self, code: str, *, stored: Any, current: int):
        super().__init__(f"{code}: stored version {stored!r}, current {current}")
        self.code = code  # "type_version_newer" | "type_version_unknown" | "type_version_upgrade_failed"
        self.stored = stored
        self.current = current


Migration = Callable[[dict], dict]


class NodeType:
    key: ClassVar[str]
    version: ClassVar[int] = 1
    category: ClassVar[str] = "data"
    icon: ClassVar[str] = "box"
    label: ClassVar[dict[str, str]]
    description: ClassVar[dict[str, str]] = {}
    # Extra words (either language) people use for this step, beyond its labels: the assistant's planner finds
    # steps by them (e.g. ("slack", "슬랙")).
    aliases: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    inputs: ClassVar[tuple[str, ...]] = ("main",)
    outputs: ClassVar[tuple[str, ...]] = ("main",)
    is_trigger: ClassVar[bool] = False
    is_loop: ClassVar[bool] = False
    # Per-item nodes get parameters resolved for each item; others once, with the first item in scope.
    per_item: ClassVar[bool] = True
    # Nodes with several inputs that need all of them before running (merge).
    waits_for_all_inputs: ClassVar[bool] = False
    # Nodes that change the world outside the run (send, call). Their results are saved the moment they finish,
    # so that a run resumed after a crash never repeats them; other nodes' results may be saved in batches.
    side_effects: ClassVar[bool] = False
    # A node with side effects that may safely be done twice (reads, HTTP GET/HEAD). The runs app records that such a
    # node started before it acts; a run resumed after a crash that finds it started but not finished repeats it
    # only when it is idempotent, and otherwise stops and asks the person (`side_effect_unconfirmed`).
    idempotent: ClassVar[bool] = False
    # Nodes that wait, sleep or run a child process: never executed inline in the web process, and live events
    # go out before them.
    blocking: ClassVar[bool] = False
    # A key of the trigger-kind registry (apps.flows.triggers): how runs of a flow starting here are started.
    trigger_kind: ClassVar[str | None] = None
    # A webhook trigger may check a call before any run exists (verify it with the service, check a signature,
    # name the event for dedupe) by defining `receive_webhook(call, *, params, host)`: see apps.flows.triggers.inbound.
    # Parameters that are secrets whatever their value looks like: emptied in exports and shared templates.
    secret_params: ClassVar[tuple[str, ...]] = ()
    dynamic_outputs: ClassVar[DynamicOutputs | None] = None
    # {old version: pure function upgrading that version's parameters to the next}; applied in order on load.
    migrations: ClassVar[Mapping[int, Migration]] = {}
    # The n8n node types that import as this type (see apps.flows.nodes.n8n).
    n8n: ClassVar[tuple[N8nMapping, ...]] = ()

    def output_ports(self, parameters: dict) -> tuple[str, ...]:
        if self.dynamic_outputs is not None:
            return self.dynamic_outputs.ports(parameters)
        return self.outputs

    def is_idempotent(self, parameters: dict) -> bool:
        """Whether this node, configured with `parameters` (as stored, expressions unresolved), may run twice."""
        return self.idempotent

    def needs_upgrade(self, type_version: Any) -> bool:
        return (1 if type_version is None else type_version) != self.version

    def upgrade(self, parameters: dict, type_version: Any) -> dict:
        """The parameters of a node stored at `type_version`, brought to the current version (a new dict)."""
        stored = 1 if type_version is None else type_version
        if not isinstance(stored, int) or isinstance(stored, bool) or stored < 1:
            raise TypeVersionError("type_version_unknown", stored=stored, current=self.version)
        if stored > self.version:
            raise TypeVersionError("type_version_newer", stored=stored, current=self.version)
        upgraded = dict(parameters)
        for version in range(stored, self.version):
            migration = self.migrations.get(version)
            if migration is None:
                raise TypeVersionError("type_version_unknown", stored=stored, current=self.version)
            try:
                upgraded = migration(dict(upgraded))
            except Exception as exc:  # a migration meeting data it was not written for must not lose the flow
                raise TypeVersionError("type_version_upgrade_failed", stored=stored, current=self.version) from exc
            if not isinstance(upgraded, dict):
                raise TypeVersionError("type_version_upgrade_failed", stored=stored, current=self.version)
        return upgraded

    def execute(self, ctx: NodeContext) -> dict[str, Items]:
        raise NotImplementedError

    def describe(self) -> dict:
        return {
            "key": self.key,
            "version": self.version,
            "category": self.category,
            "icon": self.icon,
            "label": self.label,
            "description": self.description,
            "is_trigger": self.is_trigger,
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "parameters": [p.schema() for p in self.params],
            "dynamic_outputs": self.dynamic_outputs.describe() if self.dynamic_outputs else None,
            "is_loop": self.is_loop,
            "trigger_kind": self.trigger_kind,
            "blocking": self.blocking,
            "side_effects": self.side_effects,
            "idempotent": self.idempotent,
            "secret_params": list(self.secret_params),
        }
