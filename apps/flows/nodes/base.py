"""What a node type is: a stable key, its parameters, ports, labels in Korean and English, and how it executes.

Node types are pure Python. They receive a NodeContext (items, parameters resolved per item, host services)
and return items per output port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from apps.flows.engine.context import NodeContext

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
    item_fields: tuple[Param, ...] = ()  # for "list": the fields of each entry

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
        if self.item_fields:
            data["item_fields"] = [p.schema() for p in self.item_fields]
        return data


def t(en: str, ko: str) -> dict[str, str]:
    return {"en": en, "ko": ko}


class NodeType:
    key: ClassVar[str]
    version: ClassVar[int] = 1
    category: ClassVar[str] = "data"
    icon: ClassVar[str] = "box"
    label: ClassVar[dict[str, str]]
    description: ClassVar[dict[str, str]] = {}
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

    def output_ports(self, parameters: dict) -> tuple[str, ...]:
        return self.outputs

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
        }
