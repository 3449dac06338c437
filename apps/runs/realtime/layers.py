"""The PostgreSQL channel layer of embedded mode, with a cheaper group send.

channels-postgres sends to a group with three statements (it looks the members up twice, then inserts one message
row per member) and logs a warning whenever a group has no member, which is the usual case for run events. Live
events send every event to a few groups at once; here that is one statement for all of them, and a member of
several of those groups gets the event once.
"""

from __future__ import annotations

from datetime import timedelta

from channels_postgres.core import PostgresChannelLayer
from channels_postgres.db import GROUP_CHANNEL_TABLE, MESSAGE_TABLE, utc_now
from psycopg import sql

_SEND = sql.SQL(
    "INSERT INTO {messages} (channel, message, expire) SELECT DISTINCT channel, %s, %s FROM {groups} WHERE group_key = ANY(%s)"
).format(messages=sql.Identifier(MESSAGE_TABLE), groups=sql.Identifier(GROUP_CHANNEL_TABLE))


class EZFlowPostgresChannelLayer(PostgresChannelLayer):
    async def group_send(self, group: str, message: dict) -> None:
        await self.group_send_many([group], message)

    async def group_send_many(self, groups: list[str], message: dict) -> None:
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
        keys = [self._group_key(group) for group in groups]
        pool = await self.django_db.get_db_pool(db_params=self.django_db.db_params)
        async with pool.connection() as conn:
            await conn.execute(_SEND, (self.serialize(message), utc_now() + timedelta(seconds=self.expiry), keys))
