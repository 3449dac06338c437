"""Reasons stored by the importer ({code, template, values}) said in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext


def reason_text(reason: dict) -> str:
    values = {
        key: reason_text(value) if isinstance(value, dict) and "template" in value else value
        for key, value in (reason.get("values") or {}).items()
    }
    template = gettext(str(reason.get("template") or ""))
    try:
        return template % values if values else template
    except (KeyError, ValueError, TypeError):
        return f"{template} {values}"


def skipped_list(skipped: list[dict]) -> list[dict]:
    return [{"operation": entry.get("operation", ""), "reason": reason_text(entry)} for entry in skipped]
