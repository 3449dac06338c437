"""Who is on the other end of a WebSocket: organization from the Host header, person from the session or a ticket.

django-tenants does not cover Channels, and Channels runs every consumer's database calls on one thread, so each
lookup switches schema explicitly instead of trusting whatever the thread's connection had before.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from importlib import import_module

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core import signing
from django.db import connection
from django.utils.crypto import constant_time_compare

from apps.accounts.middleware import SESSION_ORGANIZATION_KEY
from apps.accounts.models import ApiToken, Domain
from apps.accounts.selectors import membership_get

TICKET_SALT = "ezflow.realtime.ticket"
TICKET_MAX_AGE = 60
# A ticket is a server-side record (in the session store: shared by every process, expiring by itself) named by an
# unguessable key; the signed value only carries that key. Knowing SECRET_KEY and a person's ids is not enough to
# make one, and a ticket opens one socket at most, for as long as the session or token it was issued for is valid.
TICKET_RECORD = "ezflow_realtime_ticket"
TICKET_SESSION_SCOPE_KEY = "ezflow.ticket_session"


def _session_store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def ticket_for(*, user, organization, session_key: str | None = None, token_id: int | None = None) -> str:
    """A one-use ticket, valid for TICKET_MAX_AGE seconds, bound to the session or API token that asked for it."""
    record = _session_store()
    record[TICKET_RECORD] = {"u": user.pk, "o": organization.pk, "s": session_key, "t": token_id}
    record.set_expiry(TICKET_MAX_AGE)
    record.create()
    return signing.dumps({"n": record.session_key}, salt=TICKET_SALT)


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _organization_for(host: str):
    connection.set_schema_to_public()
    domain = Domain.objects.select_related("tenant").filter(domain=host.split(":")[0].lower()).first()
    if domain is None or domain.tenant.is_public:
        return None
    return domain.tenant


def _user_from_session(session_key: str, organization):
    data = _session_store(session_key).load()
    if not data or data.get(SESSION_ORGANIZATION_KEY) != organization.pk:
        return None
    user = get_user_model().objects.filter(pk=data.get(SESSION_KEY), is_active=True).first()
    if user is None or BACKEND_SESSION_KEY not in data:
        return None
    if not constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None  # the password changed since: the session is no longer valid
    return user


def _token_is_valid(token_id, *, user, organization) -> bool:
    return ApiToken.objects.filter(pk=token_id, user=user, organization=organization, revoked_at__isnull=True).exists()


def _user_from_ticket(ticket: str, organization, scope):
    try:
        nonce = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE).get("n")
    except (signing.BadSignature, AttributeError):
        return None
    if not isinstance(nonce, str) or not nonce:
        return None
    store = _session_store(nonce)
    record = store.load().get(TICKET_RECORD)  # nothing once expired
    if not isinstance(record, dict):
        return None
    store.delete()
    if record.get("o") != organization.pk:
        return None
    user = get_user_model().objects.filter(pk=record.get("u"), is_active=True).first()
    if user is None:
        return None
    if record.get("s"):
        if getattr(_user_from_session(record["s"], organization), "pk", None) != user.pk:
            return None  # signed out (or password changed) since the ticket was issued
        scope[TICKET_SESSION_SCOPE_KEY] = record["s"]  # the socket then lives only as long as that session
        return user
    if record.get("t") and _token_is_valid(record["t"], user=user, organization=organization):
        return user
    return None


def session_key_of(scope) -> str | None:
    """The session a browser socket was opened with, or the one its ticket was issued for (None for API tokens)."""
    if "ticket=" in scope.get("query_string", b"").decode():
        return scope.get(TICKET_SESSION_SCOPE_KEY)
    cookie = SimpleCookie()
    cookie.load(_header(scope, b"cookie"))
    return cookie[settings.SESSION_COOKIE_NAME].value if settings.SESSION_COOKIE_NAME in cookie else None


@database_sync_to_async
def still_signed_in(*, session_key: str | None, organization, user) -> bool:
    """Checked again when a session may have ended: signed out, password changed, account deactivated."""
    if session_key is not None:
        current = _user_from_session(session_key, organization)
        return current is not None and current.pk == user.pk
    # A ticket is only checked when the socket opens; afterwards the account must stay active.
    return get_user_model().objects.filter(pk=user.pk, is_active=True).exists()


@database_sync_to_async
def identify(scope) -> tuple[object | None, object | None, object | None]:
    """(organization, user, membership) for a WebSocket scope; None where unknown or not allowed."""
    organization = _organization_for(_header(scope, b"host"))
    if organization is None:
        return None, None, None
    user = None
    query = dict(pair.split("=", 1) for pair in scope.get("query_string", b"").decode().split("&") if "=" in pair)
    if query.get("ticket"):
        user = _user_from_ticket(query["ticket"], organization, scope)
    else:
        cookie = SimpleCookie()
        cookie.load(_header(scope, b"cookie"))
        if settings.SESSION_COOKIE_NAME in cookie:
            user = _user_from_session(cookie[settings.SESSION_COOKIE_NAME].value, organization)
    membership = membership_get(user=user, organization=organization) if user is not None else None
    return organization, user, membership
