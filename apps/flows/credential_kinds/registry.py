"""Credential kinds by stable key. Apps register theirs from AppConfig.ready() by importing a module whose kinds
use @register; nothing else in the product lists kinds."""

from __future__ import annotations

import re

from apps.flows.credential_kinds.base import CredentialKind

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,49}$")  # stored in Credential.type (50 characters)
_kinds: dict[str, CredentialKind] = {}


def register(kind_class: type[CredentialKind]) -> type[CredentialKind]:
    key = getattr(kind_class, "key", "")
    if not _KEY.match(key):
        raise ValueError(f"credential kind key {key!r} must be lower-case letters, digits and _ (2-50)")
    existing = _kinds.get(key)
    if existing is not None and _identity(type(existing)) != _identity(kind_class):
        raise ValueError(f"credential kind {key!r} is already registered by {_identity(type(existing))}")
    _kinds[key] = kind_class()
    return kind_class


def _identity(kind_class: type) -> str:
    return f"{kind_class.__module__}.{kind_class.__qualname__}"


def unregister(key: str) -> None:
    _kinds.pop(key, None)


def _loaded() -> dict[str, CredentialKind]:
    # FlowsConfig.ready() loads the built-in kinds; this covers code that runs the engine without Django set up.
    import apps.flows.credential_kinds.builtin  # noqa: F401

    return _kinds


def get(key: str) -> CredentialKind | None:
    return _loaded().get(key) if isinstance(key, str) else None


def all_kinds() -> list[CredentialKind]:
    return list(_loaded().values())


def http_auth_kinds() -> list[CredentialKind]:
    return [kind for kind in _loaded().values() if kind.http_auth]
