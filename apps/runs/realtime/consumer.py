"""One WebSocket endpoint per organization host. Clients subscribe to pages; each page checks access."""

from __future__ import annotations

import hashlib

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_tenants.utils import tenant_context

from apps.core.metrics import WEBSOCKETS
from apps.runs.realtime.auth import identify, session_key_of, still_signed_in

CLOSE_UNKNOWN_ORGANIZATION = 4404
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_A_MEMBER = 4403
CLOSE_SUSPENDED = 4423
MAX_SUBSCRIPTIONS = 50


def group_name(schema: str, page: str, object_id: int | None = None) -> str:
    # Primary keys repeat across organization schemas, so the schema is part of every group name.
    return f"t.{schema}.{page}" + (f".{object_id}" if object_id is not None else "")


def session_digest(session_key: str) -> str:
    """Stands for a session key in channel layer messages: the key itself never leaves the session store."""
    return hashlib.sha256(f"ezflow.realtime.session:{session_key}".encode()).hexdigest()


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.organization, self.user, self.membership = await identify(self.scope)
        self.subscriptions: set[str] = set()
        refusal = None
        if self.organization is None:
            refusal = CLOSE_UNKNOWN_ORGANIZATION
        elif self.organization.is_suspended:
            refusal = CLOSE_SUSPENDED
        elif self.user is None:
            refusal = CLOSE_NOT_SIGNED_IN
        elif self.membership is None:
            refusal = CLOSE_NOT_A_MEMBER
        # Accept first: a close before the handshake reaches the client only as HTTP 403, without the reason.
        await self.accept()
        if refusal is not None:
            await self.close(code=refusal)
            return
        self.session_key = session_key_of(self.scope)
        # Every socket of this person joins their own group, so a removed membership or an ended session can close
        # it, and the organization's group, so a suspension closes them all.
        await self._join(group_name(self.organization.schema_name, "user", self.user.pk))
        # Not counted as a subscription: kept apart and left on disconnect.
        self.organization_group = group_name(self.organization.schema_name, "org")
        await self.channel_layer.group_add(self.organization_group, self.channel_name)
        WEBSOCKETS.inc()
        self.counted = True

    async def disconnect(self, code):
        if getattr(self, "counted", False):
            WEBSOCKETS.dec()
            self.counted = False
        if getattr(self, "organization_group", None):
            await self.channel_layer.group_discard(self.organization_group, self.channel_name)
        for group in list(getattr(self, "subscriptions", ())):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        action, page, object_id = content.get("type"), content.get("page"), content.get("id")
        if action not in ("subscribe", "unsubscribe") or page not in ("run", "flow", "runs", "notifications"):
            await self.send_json({"type": "error", "code": "bad_message", "message": "Send {type: subscribe|unsubscribe, page, id}."})
            return
        if page in ("run", "flow") and not (isinstance(object_id, int) and object_id > 0):
            await self.send_json({"type": "error", "code": "bad_message", "message": "This page needs a numeric id."})
            return
        schema = self.organization.schema_name
        if page == "notifications":
            group = group_name(schema, "user", self.user.pk) + ".notifications"
        else:
            group = group_name(schema, page, object_id if page in ("run", "flow") else None)
        if action == "unsubscribe":
            await self.channel_layer.group_discard(group, self.channel_name)
            self.subscriptions.discard(group)
            await self.send_json({"type": "unsubscribed", "page": page, "id": object_id})
            return
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            await self.send_json({"type": "error", "code": "too_many_subscriptions", "message": "Too many subscriptions on one socket."})
            return
        if not await self._may_see(page, object_id):
            # The same answer for "not yours" and "does not exist": nothing about other organizations leaks.
            await self.send_json({"type": "error", "code": "not_found", "page": page, "id": object_id})
            return
        await self._join(group)
        # Read after joining: whatever changed before this point is in the answer, anything later arrives as an
        # event. The page compares it with what it rendered and refetches if it missed something in between.
        state = await self._current_state(page, object_id)
        await self.send_json({"type": "subscribed", "page": page, "id": object_id, **state})

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.subscriptions.add(group)

    @database_sync_to_async
    def _may_see(self, page: str, object_id) -> bool:
        from apps.flows.models import Flow
        from apps.runs.models import Run

        with tenant_context(self.organization):
            if page == "run":
                return Run.objects.filter(pk=object_id).exists()
            if page == "flow":
                return Flow.objects.filter(pk=object_id).exists()
        return True

    @database_sync_to_async
    def _current_state(self, page: str, object_id) -> dict:
        from apps.runs.selectors import run_feed_changed, run_seq

        with tenant_context(self.organization):
            if page == "run":
                return {"seq": run_seq(run_id=object_id)}
            if page in ("flow", "runs"):
                return {"changed": run_feed_changed(flow_id=object_id if page == "flow" else None)}
            from apps.notifications.selectors import notification_unread_count

            return {"unread": notification_unread_count(user=self.user)}

    async def live_event(self, event):
        await self.send_json(event["payload"])

    async def access_revoked(self, event):
        await self.close(code=CLOSE_NOT_A_MEMBER)

    async def organization_suspended(self, event):
        await self.close(code=CLOSE_SUSPENDED)

    async def session_ended(self, event):
        ended = event.get("session")
        if ended is not None:  # a sign-out: only the sockets of that session
            if self.session_key is not None and ended == session_digest(self.session_key):
                await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        if not await still_signed_in(session_key=self.session_key, organization=self.organization, user=self.user):
            await self.close(code=CLOSE_NOT_SIGNED_IN)
