"""An LLM answer shown while it is written, in the editor's step test: the step streams from the provider and sends
the text so far to the live socket of the person testing (page `ai_stream`, subscribed with the flow's id), a few
times a second. Only that person, in that organization, for that flow receives it; the final answer still comes in
the test's HTTP response, so a dropped hint changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection

from apps.flows import selectors as flow_selectors
from apps.runs.realtime.groups import group_name
from apps.runs.realtime.pages import LivePage
from apps.runs.realtime.publisher import publish_to_groups

MAX_CHARS = 20_000  # of the text so far in one message
INTERVAL_SECONDS = 0.1


def stream_group(schema: str, user_id: int, flow_id: int) -> str:
    return group_name(schema, f"ai_stream.{user_id}", flow_id)


class AiStreamPage(LivePage):
    key = "ai_stream"
    needs_id = True

    def group(self, *, schema, user, object_id):
        return stream_group(schema, user.pk, object_id)

    def may_see(self, *, user, membership, object_id):
        return membership is not None and flow_selectors.flow_list().filter(pk=object_id).exists()


class TextStream:
    """Collects one item's answer and publishes the text so far at most every INTERVAL_SECONDS (and at the end)."""

    def __init__(self, *, group: str, flow_id: int, node_id: str, item: int, clock: Callable[[], float] = time.monotonic):
        self.group, self.flow_id, self.node_id, self.item = group, flow_id, node_id, item
        self.parts: list[str] = []
        self.clock = clock
        self.sent_at = 0.0
        self.sent = 0

    def __call__(self, piece: str) -> None:
        self.parts.append(piece)
        now = self.clock()
        if now - self.sent_at >= INTERVAL_SECONDS:
            self._send(done=False)
            self.sent_at = now

    def restart(self) -> None:
        """The model is asked again (a structured answer that did not fit): the shown text starts over."""
        self.parts = []

    def finish(self) -> None:
        self._send(done=True)

    def _send(self, *, done: bool) -> None:
        text = "".join(self.parts)
        self.sent += 1
        publish_to_groups(
            [self.group],
            {
                "type": "ai.stream",
                "flow_id": self.flow_id,
                "node_id": self.node_id,
                "item": self.item,
                "text": text[-MAX_CHARS:],
                "done": done,
            },
        )


def text_stream(ctx, item: int) -> TextStream | None:
    """A stream for the item when someone watches this step's test in the editor; None in runs."""
    tester_id = getattr(ctx.host, "tester_id", None)
    flow_id = ctx.executor.flow_meta.get("id")
    schema = getattr(getattr(ctx.host, "organization", None), "schema_name", None) or connection.schema_name
    if not tester_id or not flow_id or not schema:
        return None
    return TextStream(group=stream_group(schema, tester_id, flow_id), flow_id=flow_id, node_id=ctx.node.id, item=item)
