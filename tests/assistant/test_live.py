"""The assistant's live page on the real consumer: a person subscribes to their own assistant progress for a flow
of their organization; another organization's flow is "not found"; another person's progress never arrives."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from apps.assistant.live_pages import assistant_group
from apps.flows.services.flows import flow_create
from tests.runs.realtime.test_consumer import cookie_for, open_socket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from types import SimpleNamespace

    from tests.support.data import DataFixture

    data = DataFixture()
    with django_db_blocker.unblock():
        a = data.create_organization(slug="as-live-a")
        b = data.create_organization(slug="as-live-b")
        connection.set_tenant(b)
        flow_b = flow_create(user=None, name="B", graph={"nodes": [], "edges": []})
        flow_b2 = flow_create(user=None, name="B2", graph={"nodes": [], "edges": []})
        connection.set_tenant(a)
        flow_a = flow_create(user=None, name="A", graph={"nodes": [], "edges": []})
        connection.set_schema_to_public()
        owner = data.owner_of(a)
        colleague = data.create_member(a).user
        world = SimpleNamespace(
            a=a, flow_a=flow_a, other=max(flow_b.pk, flow_b2.pk) + 1000, owner=owner, colleague=colleague, cookie=cookie_for(data, a, owner)
        )
    return world


def test_progress_reaches_only_the_asker_of_that_flow(world):
    async def scenario():
        communicator, connected, _ = await open_socket("as-live-a.localhost", world.cookie)
        assert connected
        await communicator.send_json_to({"type": "subscribe", "page": "assistant", "id": world.flow_a.pk})
        assert await communicator.receive_json_from() == {"type": "subscribed", "page": "assistant", "id": world.flow_a.pk}
        await communicator.send_json_to({"type": "subscribe", "page": "assistant", "id": world.other})
        assert (await communicator.receive_json_from())["code"] == "not_found"
        layer = get_channel_layer()
        payload = {"type": "assistant.progress", "flow_id": world.flow_a.pk, "text": "슬랙 단계를 추가합니다."}
        await layer.group_send(
            assistant_group(world.a.schema_name, world.owner.pk, world.flow_a.pk), {"type": "live.event", "payload": payload}
        )
        assert await communicator.receive_json_from() == payload
        colleague = assistant_group(world.a.schema_name, world.colleague.pk, world.flow_a.pk)
        await layer.group_send(colleague, {"type": "live.event", "payload": {**payload, "text": "not yours"}})
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    async_to_sync(scenario)()
