from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core import crypto
from apps.core.errors import DomainError
from apps.flows.credentials import CREDENTIAL_TYPES
from apps.flows.models import Credential


def _clean(type_key: str, data, *, existing: dict | None = None) -> dict:
    credential_type = CREDENTIAL_TYPES.get(type_key)
    if credential_type is None:
        raise DomainError(_("Unknown credential type “%(type)s”.") % {"type": type_key}, code="invalid", field="type")
    if not isinstance(data, dict):
        raise DomainError(_("The credential's data must be an object."), code="invalid", field="data")
    merged = {**(existing or {}), **{k: v for k, v in data.items() if v not in (None, "")}}
    known = {f.name for f in credential_type.fields}
    unknown = sorted(set(merged) - known)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}, code="invalid", field="data")
    missing = [str(f.label) for f in credential_type.fields if f.required and not str(merged.get(f.name, "")).strip()]
    if missing:
        raise DomainError(_("Fill in: %(fields)s.") % {"fields": ", ".join(missing)}, code="invalid", field="data")
    return {k: str(v) for k, v in merged.items()}


def credential_create(*, user, name: str, type: str, data: dict) -> Credential:  # noqa: A002
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the credential a name."), code="invalid", field="name")
    return Credential.objects.create(name=name[:200], type=type, encrypted_data=crypto.encrypt(_clean(type, data)), created_by=user)


def credential_update(*, credential: Credential, name: str | None = None, data: dict | None = None) -> Credential:
    """Secret values left out keep their stored value: the API never sends them back to be re-entered."""
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        if name is not None:
            if not name.strip():
                raise DomainError(_("Give the credential a name."), code="invalid", field="name")
            locked.name = name.strip()[:200]
        if data is not None:
            locked.encrypted_data = crypto.encrypt(_clean(locked.type, data, existing=crypto.decrypt(locked.encrypted_data)))
        locked.save()
    return locked


def credential_public_fields(credential: Credential) -> dict:
    """The non-secret values (a username, a host) that the UI may show."""
    credential_type = CREDENTIAL_TYPES.get(credential.type)
    data = crypto.decrypt(credential.encrypted_data)
    return {f.name: data.get(f.name, "") for f in credential_type.fields if not f.secret} if credential_type else {}


def credential_data(*, credential_id, credential_type: str) -> dict | None:
    credential = Credential.objects.filter(pk=credential_id if str(credential_id).isdigit() else None, type=credential_type).first()
    return crypto.decrypt(credential.encrypted_data) if credential else None


def credentials_rotate() -> int:
    count = 0
    for credential in Credential.objects.select_for_update().iterator():
        credential.encrypted_data = crypto.rotate(credential.encrypted_data)
        credential.save(update_fields=["encrypted_data", "updated_at"])
        count += 1
    return count
