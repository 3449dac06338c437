"""Trigger kinds by stable key: how a flow that starts at a trigger step is checked, described and wired.

A trigger step names its kind (`NodeType.trigger_kind`). The kind carries what is the same for every step of
that kind: the checks of its node beyond parameter types (a schedule's cron expression), the sentence people read
on the flow page, and the hooks called when a flow's published version or on/off switch changes or the flow is
deleted. Those hooks are connected by the app that does the wiring (the runs app connects the scheduler from
RunsConfig.ready()), so this module, like the rest of flows, knows nothing of runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple


class Issue(NamedTuple):
    """A problem with a trigger node: a stable code, the parameter path, values for the sentence."""

    code: str
    path: str = ""
    params: dict[str, Any] = {}


@dataclass
class TriggerSummary:
    """How a flow starts, for people reading its page."""

    kind: str
    name: str
    title: str
    description: str = ""
    url: str = ""
    methods: str = ""
    next_run: dt.datetime | None = None
    time_zone: str = ""


def in_language(labels: dict | None, fallback: str = "") -> str:
    from django.utils.translation import get_language

    if not isinstance(labels, dict):
        return fallback
    return labels.get("ko" if (get_language() or "en").startswith("ko") else "en") or labels.get("en") or fallback


class TriggerKind:
    key: ClassVar[str]

    def validate(self, node: dict) -> list[Issue]:
        """Problems of a trigger node of this kind beyond its parameters' types. Pure."""
        return []

    def problem_message(self, code: str, params: dict) -> str | None:
        """The translated sentence for one of this kind's own issue codes."""
        return None

    def summary(self, *, node: dict, node_type, flow, organization) -> TriggerSummary:
        name = str(node.get("name") or node_type.key)
        return TriggerSummary(
            kind=self.key, name=name, title=in_language(node_type.label, node_type.key), description=in_language(node_type.description)
        )


class TriggerKindRegistry:
    def __init__(self):
        self._kinds: dict[str, TriggerKind] = {}

    def register(self, kind_class: type[TriggerKind]) -> type[TriggerKind]:
        key = kind_class.key
        if key in self._kinds:
            if type(self._kinds[key]) is not kind_class:
                raise ValueError(f"trigger kind {key!r} is already registered")
            return kind_class
        self._kinds[key] = kind_class()
        return kind_class

    def unregister(self, key: str) -> None:
        self._kinds.pop(key, None)

    def get(self, key: str | None) -> TriggerKind | None:
        return self._kinds.get(key) if key else None

    def __contains__(self, key: str) -> bool:
        return key in self._kinds

    def keys(self) -> list[str]:
        return sorted(self._kinds)

    def all(self) -> list[TriggerKind]:
        return [self._kinds[key] for key in sorted(self._kinds)]


trigger_kinds = TriggerKindRegistry()
register_trigger_kind = trigger_kinds.register
