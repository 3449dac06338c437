"""Credential kinds: a registry keyed by stable strings (see docs/credentials.md)."""

from apps.flows.credential_kinds.base import BearerTokenKind, CredentialKind, Field, OutgoingRequest, TestResult, icon_url, label_text, t
from apps.flows.credential_kinds.registry import all_kinds, get, http_auth_kinds, register, unregister

__all__ = [
    "BearerTokenKind",
    "CredentialKind",
    "Field",
    "OutgoingRequest",
    "TestResult",
    "icon_url",
    "all_kinds",
    "get",
    "http_auth_kinds",
    "label_text",
    "register",
    "t",
    "unregister",
]
