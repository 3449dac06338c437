"""Credential types. Encryption at rest lives in apps.core.crypto; its names stay importable from here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.core.crypto import decrypt, encrypt, reset_cipher_cache, rotate

__all__ = ["CREDENTIAL_TYPES", "CredentialField", "CredentialType", "decrypt", "encrypt", "reset_cipher_cache", "rotate"]


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
