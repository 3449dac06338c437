"""Engine errors in the reader's language. The engine (pure Python) keeps English messages and, beside them, the
template and values it formatted (`EngineError.translatable`, stored as `error_args` on runs and node runs); the
templates are in the Korean catalogue through `gettext_noop`; so are values whose name starts with "kind"."""

from __future__ import annotations

from django.utils.translation import gettext


def engine_error_text(message: str, args: dict | None) -> str:
    """`message` said in the active language; the stored English message when there is no template (older runs)."""
    template = (args or {}).get("template")
    if not template:
        return message
    text = gettext(template)
    values = args.get("values") or {}
    if not values:
        return text
    # Values named kind… are words of ours (gettext_noop'd, e.g. "a number"), said in the reader's language too.
    values = {key: gettext(value) if key.startswith("kind") and isinstance(value, str) else value for key, value in values.items()}
    try:
        return text % values
    except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder: English is better than nothing
        return message
