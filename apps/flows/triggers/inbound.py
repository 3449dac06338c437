"""What a webhook trigger step may decide about a call before any run exists.

A trigger step of the `webhook` kind may define `receive_webhook(call, *, params, host)`: it is given the call (method,
headers, query, raw body, content type), the step's stored parameters and the organization's FlowHost (credentials,
allowed hosts), and returns `StartRun` (the items the run starts with, and the event's key: the same key twice for
one flow starts one run) or `IgnoreCall` (answered, no run). It raises `apps.core.errors.DomainError` to refuse the
call (a bad signature: 401; "could not check it now, send it again": 503). The runs app does the rest: the run row
and the event key are written in one transaction, so a retried delivery after a crash never starts a second run.

Services whose notifications are not signed (Toss Payments' payment events) verify them here by asking the service
itself; signed ones check their signature. Nothing in runs names a service."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StartRun:
    items: list[dict]
    # Identifies the event, not the delivery: a retry of the same event carries the same key. Empty: no dedupe.
    event_key: str = ""
    status: int = 202
    body: dict = field(default_factory=dict)  # added to the answer next to run_id and status


@dataclass(frozen=True)
class IgnoreCall:
    message: str  # translated; said to the caller
    status: int = 200
