"""Triggers that keep a connection open and start a run per message ("an MQTT message arrived").

A listening step (`trigger_kind = "listener"`) implements
    listen(parameters: dict, *, host, session: str, deliver, stop, connected) -> None
which connects, subscribes and calls `deliver(Message(...))` for each message until `stop` (a threading.Event) is
set; it returns when stopped and raises when the connection fails or is lost (the supervisor connects again after a
pause that doubles up to a minute; `connected()` after a successful subscribe resets it). `session` is a stable name
for this trigger (a broker's persistent session keeps its messages while nobody listens).

How it is wired (by the runs app): publishing or switching a flow keeps a row of the public index
(core.ListenerEntry); a supervisor thread in each worker keeps one subscriber per row across all workers (a
PostgreSQL advisory lock per trigger), saves a run per message and acknowledges the message only after the run is
committed. A message delivered again (`Message.redelivered`, e.g. MQTT's DUP flag) whose key was saved within the
last hour starts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.flows.triggers.registry import TriggerKind, TriggerSummary


@dataclass
class Message:
    items: list[dict]
    key: str = ""  # what names this message if it is delivered again ("" for messages that never are)
    redelivered: bool = False
    ack: Callable[[], None] = field(default=lambda: None)


class ListenerTriggerKind(TriggerKind):
    key = "listener"

    def summary(self, *, node, node_type, flow, organization) -> TriggerSummary:
        summary = super().summary(node=node, node_type=node_type, flow=flow, organization=organization)
        summary.description = _("Stays connected and starts the flow with each message as it arrives.")
        return summary
