"""Writes and uses of credentials. Values are encrypted at rest (apps.core.crypto); secret values and OAuth2 tokens
never leave this module except to the step that uses them."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import crypto
from apps.core.errors import DomainError
from apps.core.events import send_on_commit
from apps.flows import credential_kinds
from apps.flows.credential_kinds import CredentialKind, label_text
from apps.flows.credential_kinds.oauth2 import TOKENS, OAuth2Failed
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.events import credential_needs_reconnect
from apps.flows.models import Credential

Status = Credential.Status
logger = logging.getLogger(__name__)
# "Last successful use" is written at most this often per credential, so a busy flow costs no write per step.
LAST_USE_EVERY_SECONDS = 60
_last_use_written: dict[tuple[str, str], float] = {}  # (schema, credential id) -> time.monotonic() of the write


def _kind(type_key: str) -> CredentialKind:
    kind = credential_kinds.get(type_key)
    if kind is None:
        raise DomainError(_("Unknown credential type “%(type)s”.") % {"type": type_key}, code="invalid", field="type")
    return kind


def _internal(data: dict) -> dict:
    """What the product keeps beside the fields (OAuth2 tokens, a sign-in in progress): keys starting with "_"."""
    return {k: v for k, v in data.items() if k.startswith("_")}


def _clean(kind: CredentialKind, data, *, existing: dict | None = None) -> dict:
    if not isinstance(data, dict):
        raise DomainError(_("The credential's data must be an object."), code="invalid", field="data")
    fields = kind.form_fields()
    known = {f.name for f in fields}
    before = {k: v for k, v in (existing or {}).items() if k in known}
    supplied = {k: v for k, v in data.items() if v not in (None, "")}
    unknown = sorted(set(supplied) - known)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}, code="invalid", field="data")
    merged = {k: str(v) for k, v in {**before, **supplied}.items()}
    missing = [label_text(f.label) for f in fields if kind.field_required(f) and not merged.get(f.name, "").strip()]
    if missing:
        raise DomainError(_("Fill in: %(fields)s.") % {"fields": ", ".join(missing)}, code="invalid", field="data")
    for template, values in kind.problems(merged):
        raise DomainError(_text(template, values), code="invalid", field="data")
    return merged


def credential_create(*, user, name: str, type: str, data: dict) -> Credential:  # noqa: A002
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the credential a name."), code="invalid", field="name")
    kind = _kind(type)
    return Credential.objects.create(
        name=name[:200],
        type=type,
        encrypted_data=crypto.encrypt(_clean(kind, data)),
        status=Status.NOT_CONNECTED if kind.oauth2 else Status.NONE,
        created_by=user,
    )


def credential_update(*, credential: Credential, name: str | None = None, data: dict | None = None) -> Credential:
    """Secret values left out keep their stored value: the API never sends them back to be re-entered. Changing an
    OAuth2 credential's settings drops its tokens: they belong to the old client or service."""
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        if name is not None:
            if not name.strip():
                raise DomainError(_("Give the credential a name."), code="invalid", field="name")
            locked.name = name.strip()[:200]
        if data is not None:
            kind = _kind(locked.type)
            existing = crypto.decrypt(locked.encrypted_data)
            cleaned = _clean(kind, data, existing=existing)
            kept = _internal(existing)
            if kind.oauth2 and cleaned != {k: v for k, v in existing.items() if not k.startswith("_")}:
                kept, locked.status, locked.status_reason = {}, Status.NOT_CONNECTED, ""
            locked.encrypted_data = crypto.encrypt({**cleaned, **kept})
        locked.save()
    return locked


def credential_public_fields(credential: Credential) -> dict:
    """The non-secret values (a username, a host) that the UI may show."""
    kind = credential_kinds.get(credential.type)
    if kind is None:
        return {}
    data = crypto.decrypt(credential.encrypted_data)
    return {f.name: data.get(f.name, "") for f in kind.form_fields() if not f.secret}


def credential_status_message(credential: Credential) -> str:
    if credential.status == Status.NOT_CONNECTED:
        return _("Not connected yet: choose Connect to sign in with the service.")
    if credential.status == Status.CONNECTED:
        return _("Connected.")
    if credential.status == Status.NEEDS_RECONNECT:
        return _("The service no longer accepts this connection (%(reason)s). Choose Reconnect to sign in again.") % {
            "reason": credential.status_reason or "?"
        }
    return ""


def _reconnect_error(credential: Credential) -> NodeError:
    if credential.status == Status.NEEDS_RECONNECT:
        return NodeError(
            gettext_noop(
                "The credential “%(credential)s” must be reconnected: the service no longer accepts it (%(reason)s). "
                "An admin can reconnect it on the Credentials page."
            ),
            code="credential_reconnect",
            values={"credential": credential.name, "reason": credential.status_reason or "?"},
        )
    return NodeError(
        gettext_noop("The credential “%(credential)s” is not connected yet: an admin can connect it on the Credentials page."),
        code="credential_reconnect",
        values={"credential": credential.name},
    )


def organization_allow_hosts() -> list[str]:
    return list(getattr(connection.tenant, "allowed_internal_hosts", None) or [])


def credentials_mark_used(*, ids) -> None:
    """Records that steps reading these credentials succeeded. Skipped when this process wrote the credential's time
    less than a minute ago, and the UPDATE itself only changes a time older than that (other processes); a failure
    is logged, never the step's failure."""
    schema, now = connection.schema_name, time.monotonic()
    due = [str(i) for i in ids if str(i).isdecimal() and now - _last_use_written.get((schema, str(i)), -1e9) >= LAST_USE_EVERY_SECONDS]
    if not due:
        return
    moment = timezone.now()
    try:
        Credential.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=moment - dt.timedelta(seconds=LAST_USE_EVERY_SECONDS)), pk__in=due
        ).update(last_used_at=moment)
    except DatabaseError:
        logger.exception("could not record the last use of credentials %s", due)
        return
    for credential_id in due:
        _last_use_written[(schema, credential_id)] = now


def credential_fresh_data(credential: Credential, *, refused_token: str = "") -> dict:
    """The credential's values, with an OAuth2 access token refreshed first when it expires within a minute.
    Raises NodeError `credential_reconnect` when the service refuses the refresh (the credential is then marked
    "needs reconnect") or the credential was never connected; `credential_refresh_failed` when the service could
    not be reached (the tokens stay: the next use tries again)."""
    kind = credential_kinds.get(credential.type)
    data = crypto.decrypt(credential.encrypted_data)
    if kind is None or not kind.oauth2:
        return data
    if credential.status == Status.NEEDS_RECONNECT or not (data.get(TOKENS) or {}).get("access_token"):
        raise _reconnect_error(credential)

    def due(values: dict) -> bool:
        # A token the service refused is renewed even before its time, unless another run already renewed it.
        refused = bool(refused_token) and (values.get(TOKENS) or {}).get("access_token") == refused_token
        return refused or kind.needs_refresh(values)

    if not due(data):
        return data
    failure, changed = None, False
    # The row stays locked during the call to the provider: two runs refreshing at once would each spend the
    # refresh token, and providers that rotate refresh tokens then refuse the second one.
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        data = crypto.decrypt(locked.encrypted_data)
        if locked.status == Status.NEEDS_RECONNECT:
            failure = _reconnect_error(locked)
        elif due(data):  # not refreshed by another run while this one waited for the lock
            try:
                data[TOKENS] = kind.refresh(data, allow_hosts=organization_allow_hosts())
                locked.status, locked.status_reason, changed = Status.CONNECTED, "", True
            except OAuth2Failed as failed:
                if failed.rejected:
                    data.pop(TOKENS, None)
                    locked.status, locked.status_reason, changed = Status.NEEDS_RECONNECT, failed.error[:200], True
                    failure = _reconnect_error(locked)
                    send_on_commit(
                        credential_needs_reconnect,
                        schema=connection.schema_name,
                        credential_id=locked.pk,
                        name=locked.name,
                        type=locked.type,
                        reason=locked.status_reason,
                    )
                else:
                    failure = NodeError(
                        gettext_noop("The access token of “%(credential)s” could not be renewed: %(reason)s"),
                        code="credential_refresh_failed",
                        values={"credential": locked.name, "reason": str(failed)},
                    )
        if changed:
            locked.encrypted_data = crypto.encrypt(data)
            locked.save(update_fields=["encrypted_data", "status", "status_reason", "updated_at"])
    # Raised after the block so that "needs reconnect" is stored even though the step fails.
    if failure is not None:
        raise failure
    credential.encrypted_data, credential.status, credential.status_reason = locked.encrypted_data, locked.status, locked.status_reason
    return data


def credential_data(*, credential_id, credential_type: str) -> dict | None:
    credential = Credential.objects.filter(pk=credential_id if str(credential_id).isdecimal() else None, type=credential_type).first()
    return credential_fresh_data(credential) if credential else None


def credential_renew(*, credential_id, credential_type: str, refused_token: str) -> dict | None:
    """The credential's values after renewing an OAuth2 access token the service refused as expired."""
    credential = Credential.objects.filter(pk=credential_id if str(credential_id).isdecimal() else None, type=credential_type).first()
    return credential_fresh_data(credential, refused_token=refused_token) if credential else None


def credential_test(*, credential: Credential, url: str = "") -> dict:
    """ "Test connection": {"ok": bool, "message": translated}."""
    kind = _kind(credential.type)
    if not kind.can_test:
        raise DomainError(_("This kind of credential cannot be tested."), code="not_testable")
    url = (url or "").strip()
    if len(url) > 2000:
        raise DomainError(_("The address is too long."), code="invalid", field="url")
    try:
        data = credential_fresh_data(credential)
    except NodeError as failed:
        return {"ok": False, "message": _text(failed.template, failed.values)}
    result = kind.test(data, allow_hosts=organization_allow_hosts(), url=url)
    return {"ok": result.ok, "message": _text(result.template, result.values)}


def _text(template: str, values: dict) -> str:
    text = _(template)
    try:
        return text % values if values else text
    except (KeyError, ValueError, TypeError):
        return template % values if values else template


def credentials_rotate() -> int:
    count = 0
    for credential in Credential.objects.select_for_update().iterator():
        credential.encrypted_data = crypto.rotate(credential.encrypted_data)
        credential.save(update_fields=["encrypted_data", "updated_at"])
        count += 1
    return count
