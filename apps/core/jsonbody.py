"""Reading JSON that people and programs send: bounded nesting and no NUL characters, as clear errors.

Python's parser raises RecursionError (a server error) on very deep input, and PostgreSQL can neither store nor
compare text with NUL characters. Every place that reads a request's JSON (the API parser, webhooks, imports,
GraphQL) uses `json_loads`; values parsed elsewhere can be checked with `check_json_value`.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _

MAX_DEPTH = 100


class JSONInputError(ValueError):
    def __init__(self, message, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


def _too_deep() -> JSONInputError:
    return JSONInputError(_("The JSON is nested more than %(limit)s levels deep.") % {"limit": MAX_DEPTH}, "too_deep")


def _nul() -> JSONInputError:
    return JSONInputError(_("The text contains an invisible NUL character. Remove it and try again."), "invalid_text")


def _strict_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_loads(text: str | bytes, *, strict: bool = True) -> Any:
    """json.loads with the limits; ValueError (JSONInputError for the limits) on anything unreadable."""
    try:
        value = json.loads(text, parse_constant=_strict_constant if strict else None)
    except RecursionError:
        raise _too_deep() from None
    check_json_value(value)
    return value


def check_json_value(value: Any) -> None:
    """Raises JSONInputError when `value` nests deeper than MAX_DEPTH or holds a NUL character (keys too)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                raise _nul()
            continue
        if isinstance(current, dict):
            children = current.items()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        for child in children:
            if isinstance(child, tuple):  # a key and its value
                if "\x00" in child[0]:
                    raise _nul()
                child = child[1]
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif isinstance(child, str) and "\x00" in child:
                raise _nul()
