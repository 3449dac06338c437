"""Connecting an OAuth2 credential: the sign-in address, and the callback that stores the tokens.

The `state` sent through the browser is signed and short-lived, and names the organization, the person and the
credential; it is single use because its nonce is kept (with the PKCE verifier, which never leaves the server) in
the credential's encrypted data until the callback takes it out."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models.organization import site_url
from apps.core import crypto
from apps.core.errors import DomainError, NotFound
from apps.flows import credential_kinds
from apps.flows.credential_kinds.oauth2 import CALLBACK_PATH, TOKENS, OAuth2Failed, OAuth2Kind
from apps.flows.models import Credential
from apps.flows.services.credentials import organization_allow_hosts

PENDING = "_oauth2_pending"
STATE_SALT = "ezflow.flows.oauth2-state"
STATE_MAX_AGE_SECONDS = 600


def oauth2_redirect_uri(organization) -> str:
    """The address to register with the provider (one per organization host)."""
    return site_url(organization.host, CALLBACK_PATH)


def _oauth2_kind(credential: Credential) -> OAuth2Kind:
    kind = credential_kinds.get(credential.type)
    if not isinstance(kind, OAuth2Kind):
        raise DomainError(_("Only credentials that sign in with a service (OAuth2) can be connected."), code="not_oauth2")
    return kind


def safe_return_path(value) -> str:
    """A path on this host to come back to after the sign-in (the editor with the step, the Connections page), or ""
    for anything else: no scheme, no host, no `//` or backslash that a browser would read as another site."""
    path = str(value or "").strip()
    if not path or len(path) > 500 or not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path:
        return ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return ""
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else ""


def oauth2_authorize(*, credential: Credential, user, organization, return_to: str = "") -> str:
    """The provider's sign-in address for this credential; a newer one replaces any sign-in still in progress.
    `return_to` (a path on this host, checked by safe_return_path) travels in the signed state: the callback sends
    the person back there."""
    kind = _oauth2_kind(credential)
    redirect_uri = oauth2_redirect_uri(organization)
    nonce = secrets.token_urlsafe(24)
    payload = {"o": organization.pk, "u": user.pk, "c": credential.pk, "n": nonce}
    if back := safe_return_path(return_to):
        payload["r"] = back
    state = signing.dumps(payload, salt=STATE_SALT, compress=True)
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        data = crypto.decrypt(locked.encrypted_data)
        settings = kind.settings_for(data)
        if not (settings["client_id"] and settings["authorization_url"] and settings["token_url"]):
            raise DomainError(
                _("Fill in the service's addresses and the client ID and secret before connecting."), code="oauth2_not_configured"
            )
        url, verifier = kind.authorization_request(data, redirect_uri=redirect_uri, state=state)
        data[PENDING] = {"nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri}
        locked.encrypted_data = crypto.encrypt(data)
        locked.save(update_fields=["encrypted_data", "updated_at"])
    return url


def _state(state: str, *, user, organization) -> dict:
    try:
        payload = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise DomainError(_("The sign-in took too long. Start again from the Credentials page."), code="oauth2_state_expired") from None
    except signing.BadSignature:
        raise DomainError(
            _("This sign-in link is not valid. Start again from the Credentials page."), code="oauth2_state_invalid"
        ) from None
    if payload.get("o") != organization.pk:
        raise DomainError(
            _("This sign-in was started in another organization; it cannot be completed here."),
            code="oauth2_wrong_organization",
            status=403,
        )
    if payload.get("u") != user.pk:
        raise DomainError(
            _("This sign-in was started by someone else. Start your own from the Credentials page."), code="oauth2_wrong_person", status=403
        )
    return payload


def oauth2_return_path(state: str) -> str:
    """Where the sign-in started from (a checked path on this host), read from the signed state; "" when none."""
    try:
        payload = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return ""
    return safe_return_path(payload.get("r"))


def oauth2_complete(*, state: str, code: str, error: str, user, organization) -> Credential:
    payload = _state(state, user=user, organization=organization)
    with transaction.atomic():
        locked = Credential.objects.select_for_update().filter(pk=payload.get("c")).first()
        if locked is None:
            raise NotFound(_("The credential no longer exists."))
        data = crypto.decrypt(locked.encrypted_data)
        pending = data.pop(PENDING, None)
        if not pending or not hmac.compare_digest(str(pending.get("nonce", "")), str(payload.get("n", ""))):
            raise DomainError(
                _("This sign-in link was already used or replaced by a newer one. Start again from the Credentials page."),
                code="oauth2_state_used",
            )
        # Taken out before the provider is called: the link works once, whatever the provider answers.
        locked.encrypted_data = crypto.encrypt(data)
        locked.save(update_fields=["encrypted_data", "updated_at"])
    kind = _oauth2_kind(locked)
    if error or not code:
        raise DomainError(
            _("The service did not allow the connection (%(error)s).") % {"error": (error or "no code")[:100]}, code="oauth2_denied"
        )
    try:
        tokens = kind.exchange_code(
            data, code=code, code_verifier=pending["verifier"], redirect_uri=pending["redirect_uri"], allow_hosts=organization_allow_hosts()
        )
    except OAuth2Failed as failed:
        if not failed.rejected:
            raise DomainError(
                _("Could not reach the service to finish the sign-in: %(reason)s") % {"reason": failed.description[:300] or failed.error},
                code="oauth2_unreachable",
            ) from None
        raise DomainError(
            _("The service refused the sign-in (%(error)s). Check the client ID and secret and try again.") % {"error": failed.error[:100]},
            code="oauth2_exchange_failed",
        ) from None
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=locked.pk)
        data = crypto.decrypt(locked.encrypted_data)
        data[TOKENS] = tokens
        locked.encrypted_data = crypto.encrypt(data)
        locked.status, locked.status_reason = Credential.Status.CONNECTED, ""
        locked.save(update_fields=["encrypted_data", "status", "status_reason", "updated_at"])
    return locked
