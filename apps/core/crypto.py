"""Encryption at rest (MultiFernet: the first key of EZFLOW_CREDENTIAL_KEYS encrypts, all of them decrypt), and the
registry of stored secrets that `manage.py rotate_credentials` re-encrypts.

Each app that stores encrypted values registers one rotator in its AppConfig.ready(), so core never imports the
apps above it: `register_rotator("credentials", credentials_rotate, label="credential(s)")`. A rotator runs inside
one organization's schema and transaction and returns how many values it re-encrypted."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from ezflow_site.instance_secrets import derived_credential_key


@cache
def _cipher() -> MultiFernet:
    keys = [k for k in settings.EZFLOW_CREDENTIAL_KEYS if k] or [derived_credential_key(settings.SECRET_KEY)]
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt(data: dict) -> str:
    return _cipher().encrypt(json.dumps(data, ensure_ascii=False).encode()).decode()


def decrypt(token: str) -> dict:
    try:
        return json.loads(_cipher().decrypt(token.encode()))
    except InvalidToken:
        raise ValueError("credential cannot be decrypted with the configured keys") from None


def rotate(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    return _cipher().rotate(token.encode()).decode()


def reset_cipher_cache() -> None:
    _cipher.cache_clear()


@dataclass(frozen=True)
class Rotator:
    name: str
    rotate: Callable[[], int]
    label: str


_rotators: dict[str, Rotator] = {}


def register_rotator(name: str, fn: Callable[[], int], *, label: str | None = None) -> None:
    """Registering the same name again replaces it (ready() may run more than once in tests)."""
    _rotators[name] = Rotator(name, fn, label or name)


def unregister_rotator(name: str) -> None:
    _rotators.pop(name, None)


def rotators() -> list[Rotator]:
    return list(_rotators.values())
