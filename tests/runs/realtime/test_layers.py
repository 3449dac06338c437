"""The PostgreSQL channel layer of embedded mode (apps.runs.realtime.layers) against the real test database."""

import asyncio

import pytest
from django.db import connection

from apps.runs.realtime.layers import EZFlowPostgresChannelLayer


@pytest.fixture
def layer(db):
    settings = connection.settings_dict
    config = {key: settings.get(key, "") for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    config.update(TIME_ZONE=None, OPTIONS={}, CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False, AUTOCOMMIT=True, ATOMIC_REQUESTS=False)
    yield EZFlowPostgresChannelLayer(expiry=30, **config)
    import channels_postgres.db

    channels_postgres.db.connection_pool = None  # bound to the event loop of the test that made it


def test_a_member_of_several_groups_gets_an_event_once_and_leaving_works(layer):
    async def scenario():
        channel = await layer.new_channel()
        for group in ("t.org_a.run.1", "t.org_a.flow.1"):
            await layer.group_add(group, channel)
        await layer.group_send_many(["t.org_a.run.1", "t.org_a.flow.1", "t.org_a.runs"], {"type": "live.event", "payload": {"n": 1}})
        received = await asyncio.wait_for(layer.receive(channel), timeout=10)
        assert received["payload"] == {"n": 1}
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), timeout=0.5)  # once, though it is in two of the groups

        await layer.group_discard("t.org_a.run.1", channel)  # upstream's discard raised here (unknown database alias)
        await layer.group_send("t.org_a.run.1", {"type": "live.event", "payload": {"n": 2}})
        await layer.group_send("t.org_a.flow.1", {"type": "live.event", "payload": {"n": 3}})
        assert (await asyncio.wait_for(layer.receive(channel), timeout=10))["payload"] == {"n": 3}
        await layer.group_discard("t.org_a.flow.1", channel)
        pool = await layer.django_db.get_db_pool(db_params=layer.django_db.db_params)
        await pool.close()

    asyncio.run(scenario())
