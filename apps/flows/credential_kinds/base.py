"""What a credential kind is: a stable key, its fields, how it signs an outgoing HTTP request, how it is tested.

A kind is plain Python (no Django imports at module level): the HTTP step calls `authenticate` inside the engine.
Labels are `{"en": ..., "ko": ...}` like step labels, so a kind in a new app needs no catalogue entry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar


def t(en: str, ko: str) -> dict[str, str]:
    return {"en": en, "ko": ko}


def label_text(label) -> str:
    """A label in the active language (a `t()` dict, or any string / lazy string)."""
    if isinstance(label, dict):
        from django.utils.translation import get_language

        return label.get("ko" if (get_language() or "en").startswith("ko") else "en") or label.get("en", "")
    return str(label)


def icon_url(name: str) -> str:
    if not name:
        return ""
    from django.templatetags.static import static

    return static(f"connectors/icons/{name}.svg")


@dataclass(frozen=True)
class Field:
    name: str
    label: dict[str, str]
    secret: bool = True
    required: bool = True
    url: bool = False  # an http(s) address: forms and the API schema say so
    pattern: str = ""  # the value's shape for the API schema (JavaScript regex syntax); the kind checks it too
    example: str = ""  # a made-up value of that shape, shown in the API schema

    def describe(self, *, required: bool | None = None) -> dict:
        described = {
            "name": self.name,
            "label": label_text(self.label),
            "secret": self.secret,
            "required": self.required if required is None else required,
        }
        if self.url:
            described["url"] = True
        if self.pattern:
            described["pattern"] = self.pattern
        if self.example:
            described["example"] = self.example
        return described


@dataclass
class OutgoingRequest:
    """The parts of an outgoing HTTP request a kind may add to. The HTTP step sends what was added here only to the
    origin the person typed: a redirect or a next page on another origin goes without it."""

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TestResult:
    """The answer of "test connection". `template` is English marked with gettext_noop; the Django layer says it in
    the reader's language with `values`."""

    ok: bool
    template: str
    values: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.values if self.values else self.template


class CredentialKind:
    key: ClassVar[str]
    label: ClassVar[dict[str, str]]
    fields: ClassVar[tuple[Field, ...]] = ()
    # Offered in the HTTP step's "Authentication" list; such a kind implements authenticate().
    http_auth: ClassVar[bool] = False
    # The kind has no address of its own, so "test connection" asks for one (an API address to call).
    test_needs_url: ClassVar[bool] = False
    oauth2: ClassVar[bool] = False
    # Where a person finds the values, with the provider's own page names ({"en": ..., "ko": ...}).
    help: ClassVar[dict[str, str]] = {}
    # The service's small icon: the name of an SVG in static/connectors/icons/ (a lettermark), or "" for none.
    icon: ClassVar[str] = ""

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        raise NotImplementedError(f"{self.key} does not sign HTTP requests")

    def test(self, data: dict, *, allow_hosts: Iterable[str] = (), url: str = "") -> TestResult:
        """One request (through the SSRF guard) that shows whether the credential works. Kinds without a test leave
        this alone; `can_test` is then False."""
        raise NotImplementedError

    @property
    def can_test(self) -> bool:
        return type(self).test is not CredentialKind.test

    def problems(self, data: dict) -> list[tuple[str, dict]]:
        """What is wrong with values that passed the required-field check: (gettext_noop template, values) pairs."""
        return []

    def form_fields(self) -> tuple[Field, ...]:
        """The fields a person fills in (an OAuth2 kind may leave out those the platform provides)."""
        return self.fields

    def field_required(self, item: Field) -> bool:
        return item.required

    def describe(self) -> dict:
        return {
            "key": self.key,
            "label": label_text(self.label),
            "fields": [item.describe(required=self.field_required(item)) for item in self.form_fields()],
            "http_auth": self.http_auth,
            "oauth2": self.oauth2,
            "can_test": self.can_test,
            "test_needs_url": self.test_needs_url,
            "help": label_text(self.help) if self.help else "",
            "icon": icon_url(self.icon),
        }


class BearerTokenKind(CredentialKind):
    """Sends one stored value as `Authorization: Bearer <value>` (surrounding spaces from a paste removed)."""

    http_auth = True
    token_field: ClassVar[str] = "token"

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        request.headers["Authorization"] = f"Bearer {str(data.get(self.token_field, '')).strip()}"
