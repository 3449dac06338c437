"""Domain events: how a lower app tells higher apps that something happened, without importing them.

Apps depend one way (core <- accounts <- flows <- runs <- notifications <- marketplace / assistant). When a change
in a lower app must cause a reaction in a higher one (a run finished -> alerts; a membership ended -> live sockets
close), the lower app declares a `django.dispatch.Signal` in its `events.py` and sends it with `send_on_commit`;
the higher app connects a receiver in its AppConfig.ready(). docs/architecture.md lists every event.

Receivers run after the transaction commits (never for a change that was rolled back) and one failing receiver
neither breaks the others nor the change that sent the event: it is logged.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("ezflow.events")


def send_now(signal: Signal, **payload) -> None:
    for receiver, result in signal.send_robust(sender=None, **payload):
        if isinstance(result, Exception):
            logger.error(
                "event receiver failed",
                exc_info=(type(result), result, result.__traceback__),
                extra={"receiver": getattr(receiver, "__qualname__", str(receiver))},
            )


def send_on_commit(signal: Signal, **payload) -> None:
    """Sends the event once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send_now(signal, **payload))


def send_in_transaction(signal: Signal, **payload) -> None:
    """Sends the event now, inside the caller's transaction, for receivers that keep derived rows in step with the
    change (they commit or roll back with it). A failing receiver fails the change."""
    signal.send(sender=None, **payload)
