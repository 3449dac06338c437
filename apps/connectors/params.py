"""Readers of form values that several connectors share: a JSON parameter typed as text or given as an object."""

from __future__ import annotations

import json
from typing import Any

from apps.flows.engine.errors import NodeError, gettext_noop


def json_value(value: Any, *, label: str, expect: type | tuple = (dict, list)) -> Any:
    """A JSON parameter as Python (None when empty); a text that is not JSON of the expected shape is a clear error."""
    if value in (None, "", {}, []):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise NodeError(gettext_noop("“%(label)s” is not valid JSON."), code="bad_json", values={"label": label}) from None
    if not isinstance(value, expect):
        raise NodeError(gettext_noop("“%(label)s” has the wrong shape."), code="bad_json", values={"label": label})
    return value


def scrubbed(error: NodeError, secret: str) -> NodeError:
    """The error with a secret that travels in the address (a bot token in the path) taken out of every text."""
    if not secret:
        return error
    hide = lambda text: text.replace(secret, "•••") if isinstance(text, str) else text  # noqa: E731
    clean = NodeError(error.template, code=error.code, detail=hide(error.detail), values={k: hide(v) for k, v in error.values.items()})
    clean.params = error.params
    return clean
