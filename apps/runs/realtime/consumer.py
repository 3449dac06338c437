"""One WebSocket endpoint per organization host. Clients subscribe to pages; each page checks access."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_tenants.utils import tenant_context

from apps.core.metrics import WEBSOCKETS
from apps.runs.realtime.auth import identify, session_key_of, still_signed_in
from apps.runs.realtime.groups import group_name, session_digest
from apps.runs.realtime.pages import live_pages

CLOSE_UNKNOWN_ORGANIZATION = 4404
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_A_MEMBER = 4403
CLOSE_SUSPENDED = 4423
MAX_SUBSCRIPTIONS = 50


__all__ = ["LiveConsumer", "group_name", "session_digest"]


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
        action, page_key, object_id = content.get("type"), content.get("page"), content.get("id")
        page = live_pages.get(page_key)
        if action not in ("subscribe", "unsubscribe") or page is None:
            await self.send_json({"type": "error", "code": "bad_message", "message": "Send {type: subscribe|unsubscribe, page, id}."})
            return
        if page.needs_id and not (isinstance(object_id, int) and not isinstance(object_id, bool) and object_id > 0):
            await self.send_json({"type": "error", "code": "bad_message", "message": "This page needs a numeric id."})
            return
        group = page.group(schema=self.organization.schema_name, user=self.user, object_id=object_id)
        if action == "unsubscribe":
            await self.channel_layer.group_discard(group, self.channel_name)
            self.subscriptions.discard(group)
            await self.send_json({"type": "unsubscribed", "page": page_key, "id": object_id})
            return
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            await self.send_json({"type": "error", "code": "too_many_subscriptions", "message": "Too many subscriptions on one socket."})
            return
        if not await self._may_see(page, object_id):
            # The same answer for "not yours" and "does not exist": nothing about other organizations leaks.
            await self.send_json({"type": "error", "code": "not_found", "page": page_key, "id": object_id})
            return
        await self._join(group)
        # Read after joining: whatever changed before this point is in the answer, anything later arrives as an
        # event. The page compares it with what it rendered and refetches if it missed something in between.
        state = await self._current_state(page, object_id)
        await self.send_json({"type": "subscribed", "page": page_key, "id": object_id, **state})

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.subscriptions.add(group)

    @database_sync_to_async
    def _may_see(self, page, object_id) -> bool:
        with tenant_context(self.organization):
            return page.may_see(user=self.user, membership=self.membership, object_id=object_id)

    @database_sync_to_async
    def _current_state(self, page, object_id) -> dict:
        with tenant_context(self.organization):
            return page.current_state(user=self.user, object_id=object_id)

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
