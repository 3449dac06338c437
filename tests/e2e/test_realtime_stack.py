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
            assert json.loads(await socket.recv()) == {"type": "subscribed", "page": "flow", "id": flow["id"]}
        other = f"ws://rt-two.localhost:{port}/ws/?ticket={ticket}"
        async with websockets.connect(other, host="127.0.0.1", port=port, origin=f"http://rt-two.localhost:{port}") as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
        assert closed.value.rcvd.code == 4401

    asyncio.run(scenario())
