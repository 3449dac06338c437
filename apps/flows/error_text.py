"""Engine errors in the reader's language. The engine (pure Python) keeps English messages and, beside them, the
template and values it formatted (`EngineError.translatable`, stored as `error_args` on runs and node runs); the
templates are in the Korean catalogue through `gettext_noop`."""

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
    try:
        return text % values
    except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder: English is better than nothing
        return message
