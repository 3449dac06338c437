"""The PostgreSQL channel layer of embedded mode, with a cheaper group send.

channels-postgres sends to a group with three statements (it looks the members up twice, then inserts one message
row per member) and logs a warning whenever a group has no member, which is the usual case for run events. Live
events send every event to a few groups at once; here that is one statement for all of them, and a member of
several of those groups gets the event once. Its connections commit without waiting for the disk, and leaving
a group works (see group_discard).

It also starts one listener per event loop: channels-postgres starts one for every consumer that begins receiving
before the first listener is up, so fifty sockets opening together made fifty LISTEN connections (exhausting the
server's connections) and delivered every message to each socket once per listener.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from channels_postgres.core import PostgresChannelLayer
from channels_postgres.db import GROUP_CHANNEL_TABLE, MESSAGE_TABLE, utc_now
from psycopg import sql

_DISCARD = sql.SQL("DELETE FROM {groups} WHERE group_key = %s AND channel = %s").format(groups=sql.Identifier(GROUP_CHANNEL_TABLE))
_SEND = sql.SQL(
    "INSERT INTO {messages} (channel, message, expire) SELECT DISTINCT channel, %s, %s FROM {groups} WHERE group_key = ANY(%s)"
).format(messages=sql.Identifier(MESSAGE_TABLE), groups=sql.Identifier(GROUP_CHANNEL_TABLE))


class EZFlowPostgresChannelLayer(PostgresChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Messages live for a minute and are hints (clients refetch from the database): waiting for the disk
        # flush of every one of them would only add its 1-3 ms to each event's delay.
        options = self.db_params.get("options", "")
        self.db_params["options"] = f"{options} -c synchronous_commit=off".strip()
        # psycopg's default of four idle connections per process adds up over web processes and worker children.
        self.django_db.psycopg_options = {"min_size": 1, "max_size": 4, **self.django_db.psycopg_options}

    def _get_or_create_listener_task(self):
        if not self.listener_task_is_running:
            self.listener_task_is_running = asyncio.Event()
        loop = asyncio.get_running_loop()
        if getattr(self, "_listener_loop", None) is loop:
            return self.listener_task_is_running, False
        self._listener_loop = self.event_loop = loop
        return self.listener_task_is_running, True

    async def group_discard(self, group: str, channel: str, expire: int | None = None) -> None:
        # channels-postgres deletes through a Django database alias of its own that this project does not define,
        # so every unsubscribe and disconnect failed (and the socket stopped answering).
        assert self.require_valid_group_name(group), "Group name not valid"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        pool = await self.django_db.get_db_pool(db_params=self.django_db.db_params)
        async with pool.connection() as conn:
            await conn.execute(_DISCARD, (self._group_key(group), channel))
        if not getattr(self, "_cleanup_pending", False):  # one expired-message sweep at a time, not one per discard
            self._cleanup_pending = True
            asyncio.get_running_loop().create_task(self._sweep(expire))

    async def _sweep(self, expire: int | None) -> None:
        try:
            await self.django_db.delete_expired_messages(expire)
        finally:
            self._cleanup_pending = False

    async def group_send(self, group: str, message: dict) -> None:
        await self.group_send_many([group], message)

    async def group_send_many(self, groups: list[str], message: dict) -> None:
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
        keys = [self._group_key(group) for group in groups]
        pool = await self.django_db.get_db_pool(db_params=self.django_db.db_params)
        async with pool.connection() as conn:
            await conn.execute(_SEND, (self.serialize(message), utc_now() + timedelta(seconds=self.expiry), keys))
