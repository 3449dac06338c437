"""Credential types, and encryption at rest with key rotation (MultiFernet: the first key encrypts, all decrypt)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str
    secret: bool = True
    required: bool = True


@dataclass(frozen=True)
class CredentialType:
    key: str
    label: str
    fields: tuple[CredentialField, ...]

    def describe(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            "fields": [{"name": f.name, "label": str(f.label), "secret": f.secret, "required": f.required} for f in self.fields],
        }


CREDENTIAL_TYPES = {
    t.key: t
    for t in (
        CredentialType(
            "http_basic",
            _("Username and password (HTTP Basic)"),
            (CredentialField("username", _("Username"), secret=False), CredentialField("password", _("Password"))),
        ),
        CredentialType("http_bearer", _("Bearer token"), (CredentialField("token", _("Token")),)),
        CredentialType(
            "http_header",
            _("API key in a header"),
            (CredentialField("header", _("Header name"), secret=False), CredentialField("value", _("Value"))),
        ),
        CredentialType(
            "http_query",
            _("API key in the address"),
            (CredentialField("parameter", _("Parameter name"), secret=False), CredentialField("value", _("Value"))),
        ),
        CredentialType(
            "smtp",
            _("Email server (SMTP)"),
            (
                CredentialField("host", _("Server"), secret=False),
                CredentialField("port", _("Port"), secret=False),
                CredentialField("username", _("Username"), secret=False, required=False),
                CredentialField("password", _("Password"), required=False),
                CredentialField("security", _("Security (none, starttls, ssl)"), secret=False, required=False),
                CredentialField("from_email", _("Sender address"), secret=False),
            ),
        ),
        CredentialType("slack_webhook", _("Slack incoming webhook"), (CredentialField("url", _("Webhook address")),)),
    )
}


def _derive(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"ezflow-credentials:{secret}".encode()).digest())


@cache
def _cipher() -> MultiFernet:
    keys = [k for k in settings.EZFLOW_CREDENTIAL_KEYS if k] or [_derive(settings.SECRET_KEY).decode()]
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
