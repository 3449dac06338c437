"""The assistant's live page: Claude's text streamed token by token to the person's panel while the answer is being
made (only to the person who asked, only for that flow)."""

from __future__ import annotations

from apps.flows import selectors as flow_selectors
from apps.runs.realtime.groups import group_name
from apps.runs.realtime.pages import LivePage
from apps.runs.realtime.publisher import publish_to_groups


def assistant_group(schema: str, user_id: int, flow_id: int) -> str:
    return group_name(schema, f"assistant.{user_id}", flow_id)


class AssistantPage(LivePage):
    key = "assistant"
    needs_id = True

    def group(self, *, schema, user, object_id):
        return assistant_group(schema, user.pk, object_id)

    def may_see(self, *, user, membership, object_id):
        return membership is not None and flow_selectors.flow_list().filter(pk=object_id).exists()


def publish_delta(*, schema: str, user_id: int, flow_id: int, call: int, text: str = "", reset: bool = False) -> None:
    """A piece of the text model call `call` is writing (or, with `reset`, that call is retried: drop its text).
    Best effort: the answer itself comes back in the HTTP response."""
    payload = {"type": "assistant.delta", "flow_id": flow_id, "call": call, "text": text[:2000]}
    if reset:
        payload["reset"] = True
    publish_to_groups([assistant_group(schema, user_id, flow_id)], payload)
