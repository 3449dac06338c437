"""The WebSocket endpoint served by a real daphne process."""

import asyncio
import json

import pytest
import websockets

from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = pytest.mark.stack


def test_ticket_connects_and_other_hosts_refuse(embedded_stack):
    signup(embedded_stack, "rt-one", "owner@rt-one.example", PASSWORD)
    signup(embedded_stack, "rt-two", "owner@rt-two.example", PASSWORD)
    client = embedded_stack.http("rt-one.localhost")
    token = client.post("/api/v1/auth/token", json={"email": "owner@rt-one.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": "Live", "graph": {"nodes": [], "edges": []}}).json()
    ticket = client.post("/api/v1/realtime/ticket").json()["ticket"]
    port = embedded_stack.port

    async def scenario():
        # Python cannot resolve *.localhost: connect to 127.0.0.1 while the URL carries the organization's host.
        url = f"ws://rt-one.localhost:{port}/ws/?ticket={ticket}"
        async with websockets.connect(url, host="127.0.0.1", port=port, origin=f"http://rt-one.localhost:{port}") as socket:
            await socket.send(json.dumps({"type": "subscribe", "page": "flow", "id": flow["id"]}))
            assert json.loads(await socket.recv()) == {"type": "subscribed", "page": "flow", "id": flow["id"], "changed": None}
        other = f"ws://rt-two.localhost:{port}/ws/?ticket={ticket}"
        async with websockets.connect(other, host="127.0.0.1", port=port, origin=f"http://rt-two.localhost:{port}") as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
        assert closed.value.rcvd.code == 4401

    asyncio.run(scenario())


def test_a_deactivated_member_is_disconnected(embedded_stack):
    signup(embedded_stack, "rt-evict", "owner@rt-evict.example", PASSWORD)
    owner = embedded_stack.http("rt-evict.localhost")
    owner.headers["Authorization"] = (
        "Bearer " + owner.post("/api/v1/auth/token", json={"email": "owner@rt-evict.example", "password": PASSWORD}).json()["token"]
    )
    assert owner.post("/api/v1/invitations", json={"email": "temp@rt-evict.example", "role": "viewer"}).status_code == 201
    mail = embedded_stack.read_mail("temp@rt-evict.example")
    import re

    invite_path = re.search(r"http://rt-evict\.localhost:\d+(/invite/[^/\s]+/)", mail).group(1)
    guest = embedded_stack.http("rt-evict.localhost")
    page = guest.get(invite_path)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert guest.post(invite_path, data={"csrfmiddlewaretoken": csrf, "name": "Temp", "password": PASSWORD}).status_code == 302
    ticket = guest.post("/api/v1/realtime/ticket", headers={"X-CSRFToken": guest.cookies.get("csrftoken", "")}).json()["ticket"]
    member_id = next(m["id"] for m in owner.get("/api/v1/members").json() if m["person"]["email"] == "temp@rt-evict.example")
    port = embedded_stack.port

    async def scenario():
        url = f"ws://rt-evict.localhost:{port}/ws/?ticket={ticket}"
        async with websockets.connect(url, host="127.0.0.1", port=port, origin=f"http://rt-evict.localhost:{port}") as socket:
            await asyncio.to_thread(lambda: owner.patch(f"/api/v1/members/{member_id}", json={"is_active": False}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), timeout=20)
            assert closed.value.rcvd.code == 4403

    asyncio.run(scenario())
