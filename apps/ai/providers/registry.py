"""Model providers by stable key ("anthropic", "openai_compatible"). The key is stored in flows: never rename one.
Apps add providers by importing a module that uses @register; nothing else lists them."""

from __future__ import annotations

import re

from apps.ai.providers.base import Provider

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
_providers: dict[str, Provider] = {}


def register(provider_class: type[Provider]) -> type[Provider]:
    key = getattr(provider_class, "key", "")
    if not _KEY.match(key):
        raise ValueError(f"provider key {key!r} must be lower-case letters, digits and _ (2-50)")
    existing = _providers.get(key)
    if existing is not None and type(existing).__qualname__ != provider_class.__qualname__:
        raise ValueError(f"provider {key!r} is already registered by {type(existing).__module__}")
    _providers[key] = provider_class()
    return provider_class


def get(key) -> Provider | None:
    return _providers.get(key) if isinstance(key, str) else None


def all_providers() -> list[Provider]:
    return list(_providers.values())
