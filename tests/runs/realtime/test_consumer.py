"""The WebSocket endpoint refuses everyone it should, with a clear close code, and checks every subscription."""

from contextlib import contextmanager

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connection

from apps.accounts.models import Membership
from apps.flows.services.flows import flow_create
from apps.runs.models import Run
from ezflow_site.asgi import application

# Declares database use for every test here, so pytest-django sets up the test database before `world`.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Channels runs the consumer's queries on this thread here; its connection clean-up would end the test transaction."""
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


@contextmanager
def schema_of(organization):
    connection.set_tenant(organization)
    try:
        yield
    finally:
        connection.set_schema_to_public()


def cookie_for(data, organization, user) -> bytes:
    client = data.client_for(organization, user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(host: str, cookie: bytes = b"", path: str = "/ws/"):
    headers = [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


def connect(host: str, cookie: bytes = b"", path: str = "/ws/") -> tuple[bool, int | None]:
    """(stays open, close code): refused sockets are accepted and then closed with the reason's code."""

    async def attempt():
        communicator, connected, _code = await open_socket(host, cookie, path)
        assert connected
        if await communicator.receive_nothing(timeout=0.2):
            await communicator.disconnect()
            return True, None
        closing = await communicator.receive_output()
        assert closing["type"] == "websocket.close"
        return False, closing["code"]

    return async_to_sync(attempt)()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Committed once for the module: the consumer reads it on another thread, outside the test's transaction."""
    from types import SimpleNamespace

    from tests.support.data import DataFixture

    data = DataFixture()
    with django_db_blocker.unblock():
        a = data.create_organization(slug="ws-a")
        b = data.create_organization(slug="ws-b")
        connection.set_tenant(b)
        run_b = Run.objects.create(flow=flow_create(user=None, name="B flow", graph={"nodes": [], "edges": []}), graph={}, trigger="manual")
        connection.set_tenant(a)
        flow_a = flow_create(user=None, name="A flow", graph={"nodes": [], "edges": []})
        run_a = Run.objects.create(flow=flow_a, graph={}, trigger="manual")
        connection.set_schema_to_public()
        owner = data.owner_of(a)
        former = data.create_member(a)
        world = SimpleNamespace(
            a=a,
            b=b,
            run_a=run_a,
            run_b=run_b,
            flow_a=flow_a,
            owner=owner,
            cookie_a=cookie_for(data, a, owner),
            cookie_former=cookie_for(data, a, former.user),
            token=data.create_token(a, owner),
        )
        Membership.objects.filter(pk=former.pk).update(is_active=False)
        connection.set_schema_to_public()
    return world


def test_refusals_have_clear_close_codes(world):
    assert connect("ws-a.localhost", world.cookie_a) == (True, None)
    assert connect("nobody.localhost", world.cookie_a) == (False, 4404)  # unknown organization
    assert connect("ws-a.localhost") == (False, 4401)  # no session
    assert connect("ws-b.localhost", world.cookie_a) == (False, 4401)  # A's session is not valid on B's host
    assert connect("ws-a.localhost", world.cookie_former) == (False, 4403)  # no longer a member


def test_members_subscribe_to_their_pages_only(world):
    run_a, run_b, flow_a, cookie_a = world.run_a, world.run_b, world.flow_a, world.cookie_a
    missing = run_b.pk if run_b.pk != run_a.pk else run_a.pk + 1000

    async def scenario():
        communicator, connected, _ = await open_socket("ws-a.localhost", cookie_a)
        assert connected
        await communicator.send_json_to({"type": "subscribe", "page": "run", "id": run_a.pk})
        assert await communicator.receive_json_from() == {"type": "subscribed", "page": "run", "id": run_a.pk, "seq": 0}
        await communicator.send_json_to({"type": "subscribe", "page": "flow", "id": flow_a.pk})
        assert (await communicator.receive_json_from())["type"] == "subscribed"
        # another organization's run id: refused exactly like an id that does not exist
        await communicator.send_json_to({"type": "subscribe", "page": "run", "id": missing})
        assert await communicator.receive_json_from() == {"type": "error", "code": "not_found", "page": "run", "id": missing}
        await communicator.send_json_to({"type": "subscribe", "page": "secrets"})
        assert (await communicator.receive_json_from())["code"] == "bad_message"
        await get_channel_layer().group_send(
            f"t.org_ws_a.run.{run_a.pk}", {"type": "live.event", "payload": {"type": "run.finished", "seq": 3}}
        )
        assert await communicator.receive_json_from() == {"type": "run.finished", "seq": 3}
        await get_channel_layer().group_send(f"t.org_ws_b.run.{run_b.pk}", {"type": "live.event", "payload": {"type": "leak"}})
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_api_clients_use_a_short_lived_ticket_for_one_organization(db, data, world):
    api = data.api_client(world.a, world.token)
    ticket = api.post("/api/v1/realtime/ticket").json()["ticket"]
    assert connect("ws-a.localhost", path=f"/ws/?ticket={ticket}") == (True, None)
    assert connect("ws-b.localhost", path=f"/ws/?ticket={ticket}") == (False, 4401)
    assert connect("ws-a.localhost", path="/ws/?ticket=forged") == (False, 4401)


def test_a_ticket_opens_one_socket(db, data, world):
    ticket = data.api_client(world.a, world.token).post("/api/v1/realtime/ticket").json()["ticket"]
    assert connect("ws-a.localhost", path=f"/ws/?ticket={ticket}") == (True, None)
    assert connect("ws-a.localhost", path=f"/ws/?ticket={ticket}") == (False, 4401)


def test_tickets_signed_with_any_key_but_not_issued_are_refused(db, data, world):
    """Issue 12: with the old built-in SECRET_KEY anyone could sign {user, organization} ids. A ticket now names a
    server-side record, so neither that key nor the real one makes a ticket without asking the server."""
    from django.core import signing

    from apps.runs.realtime.auth import TICKET_SALT
    from ezflow_site.instance_secrets import KNOWN_DEFAULT_SECRET_KEYS

    ids = {"u": world.owner.pk, "o": world.a.pk}
    for key in [*KNOWN_DEFAULT_SECRET_KEYS, None]:  # None: this installation's own key
        for payload in (ids, {**ids, "n": "a" * 32}):
            forged = signing.dumps(payload, salt=TICKET_SALT, key=key)
            assert connect("ws-a.localhost", path=f"/ws/?ticket={forged}") == (False, 4401), (key, payload)


def test_tickets_expire_after_a_minute(db, data, world):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    api = data.api_client(world.a, world.token)
    expired = api.post("/api/v1/realtime/ticket").json()
    assert expired["expires_in"] == 60
    Session.objects.filter(expire_date__gt=timezone.now()).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert connect("ws-a.localhost", path=f"/ws/?ticket={expired['ticket']}") == (False, 4401)


def test_a_ticket_is_bound_to_the_session_or_token_that_asked_for_it(db, data, world):
    from django.utils import timezone

    from apps.accounts.models import ApiToken

    browser = data.client_for(world.a, world.owner)
    from_session = browser.post("/api/v1/realtime/ticket").json()["ticket"]
    browser.post("/logout/")
    assert connect("ws-a.localhost", path=f"/ws/?ticket={from_session}") == (False, 4401)

    browser = data.client_for(world.a, world.owner)
    live = browser.post("/api/v1/realtime/ticket").json()["ticket"]
    assert connect("ws-a.localhost", path=f"/ws/?ticket={live}") == (True, None)

    raw = data.create_token(world.a, world.owner)
    from_token = data.api_client(world.a, raw).post("/api/v1/realtime/ticket").json()["ticket"]
    ApiToken.objects.filter(prefix=raw.split("_")[1]).update(revoked_at=timezone.now())
    assert connect("ws-a.localhost", path=f"/ws/?ticket={from_token}") == (False, 4401)


def test_the_answer_to_a_subscription_tells_what_the_page_may_have_missed(world):
    """A page rendered before the run moved on (or before a new run came) must learn it from the answer: events sent
    before the subscription never reach it. The run's seq, the feed's last change and the unread count are read
    after joining the group, so nothing falls between the answer and the next event."""
    from apps.runs.selectors import epoch_ms

    with schema_of(world.a):
        Run.objects.filter(pk=world.run_a.pk).update(seq=7)
        changed = epoch_ms(Run.objects.get(pk=world.run_a.pk).updated_at)

    async def scenario():
        communicator, connected, _ = await open_socket("ws-a.localhost", world.cookie_a)
        assert connected
        await communicator.send_json_to({"type": "subscribe", "page": "run", "id": world.run_a.pk})
        assert (await communicator.receive_json_from())["seq"] == 7
        await communicator.send_json_to({"type": "subscribe", "page": "flow", "id": world.flow_a.pk})
        assert (await communicator.receive_json_from())["changed"] == changed
        await communicator.send_json_to({"type": "subscribe", "page": "runs"})
        assert (await communicator.receive_json_from())["changed"] >= changed
        await communicator.send_json_to({"type": "subscribe", "page": "notifications"})
        assert (await communicator.receive_json_from()) == {"type": "subscribed", "page": "notifications", "id": None, "unread": 0}
        await communicator.disconnect()

    try:
        async_to_sync(scenario)()
    finally:
        with schema_of(world.a):
            Run.objects.filter(pk=world.run_a.pk).update(seq=0)


@pytest.fixture
def relayed(monkeypatch, django_capture_on_commit_callbacks):
    """Messages the services publish after commit, kept to be sent on the test's own event loop (the in-memory
    channel layer does not cross loops, and the publisher's background sender has its own)."""
    from apps.runs.realtime import publisher

    messages = []
    monkeypatch.setattr(publisher, "_submit_message", lambda groups, message, key="": messages.append((groups, message)))

    async def send():
        layer = get_channel_layer()
        for groups, message in messages:
            for group in groups:
                await layer.group_send(group, message)
        messages.clear()

    return send


async def closing_code(communicator) -> int | None:
    output = await communicator.receive_output(timeout=1)
    return output["code"] if output["type"] == "websocket.close" else None


def test_suspending_the_organization_closes_its_open_sockets(world, relayed, django_capture_on_commit_callbacks):
    from asgiref.sync import sync_to_async

    from apps.accounts.models import Organization
    from apps.accounts.services.organizations import organization_suspend

    def suspend():
        with django_capture_on_commit_callbacks(execute=True):
            organization_suspend(organization=Organization.objects.get(pk=world.a.pk), reason="test")

    async def scenario():
        communicator, connected, _ = await open_socket("ws-a.localhost", world.cookie_a)
        assert connected and await communicator.receive_nothing(timeout=0.1)
        await sync_to_async(suspend)()
        await relayed()
        assert await closing_code(communicator) == 4423

    async_to_sync(scenario)()


def test_signing_out_closes_the_sockets_of_that_session_only(data, world, relayed, django_capture_on_commit_callbacks):
    from asgiref.sync import sync_to_async

    leaving = data.client_for(world.a, world.owner)
    leaving_cookie = f"sessionid={leaving.cookies['sessionid'].value}".encode()

    def sign_out():
        with django_capture_on_commit_callbacks(execute=True):
            assert leaving.post("/logout/").status_code == 302

    async def scenario():
        closing, connected, _ = await open_socket("ws-a.localhost", leaving_cookie)
        staying, still, _ = await open_socket("ws-a.localhost", world.cookie_a)  # the same person in another browser
        assert connected and still
        await sync_to_async(sign_out)()
        await relayed()
        assert await closing_code(closing) == 4401
        assert await staying.receive_nothing(timeout=0.2)
        await staying.disconnect()

    async_to_sync(scenario)()


def test_a_new_password_or_a_deactivated_account_closes_open_sockets(data, world, relayed, django_capture_on_commit_callbacks):
    from asgiref.sync import sync_to_async

    member = data.create_member(world.a)
    cookie = cookie_for(data, world.a, member.user)

    def change(**fields):
        def apply():
            user = type(member.user).objects.get(pk=member.user.pk)
            with django_capture_on_commit_callbacks(execute=True):
                if "password" in fields:
                    user.set_password(fields["password"])
                    user.save()
                else:
                    user.is_active = False
                    user.save(update_fields=["is_active"])

        return sync_to_async(apply)()

    async def scenario(**fields):
        communicator, connected, _ = await open_socket("ws-a.localhost", cookie)
        assert connected and await communicator.receive_nothing(timeout=0.1)
        await change(**fields)
        await relayed()
        assert await closing_code(communicator) == 4401

    async_to_sync(scenario)(password="a whole new password 123")
    member.user.refresh_from_db()  # signed in again, with the new password
    cookie = cookie_for(data, world.a, member.user)
    async_to_sync(scenario)(is_active=False)
