"""A short, readable line for an error answer of another server (JSON, HTML or text), so a person sees “Invalid API
key” instead of a page of markup; the raw answer stays available, folded away, under it."""

from __future__ import annotations

import html
import json
import re

MAX_CHARS = 200
_MESSAGE_KEYS = ("message", "error_description", "detail", "error_message", "title", "description", "msg", "reason")
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _message_in(value, depth: int = 0) -> str:
    if depth > 4:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((found for found in (_message_in(v, depth + 1) for v in value[:5]) if found), "")
    if not isinstance(value, dict):
        return ""
    for key in _MESSAGE_KEYS:
        if isinstance(value.get(key), str) and value[key].strip():
            return value[key]
    for key in ("error", "errors", "fault", "result"):
        if key in value:
            found = _message_in(value[key], depth + 1)
            if found:
                return found
    return ""


def answer_summary(raw: str) -> str:
    """The gist of an error answer's body in one line ("" when there is nothing readable)."""
    text = (raw or "").strip()
    if not text:
        return ""
    if text[:1] in "{[":
        try:
            return _short(_message_in(json.loads(text)))
        except ValueError:
            pass
    if "<" in text and ">" in text:
        title = _TITLE.search(text)
        if title and title.group(1).strip():
            return _short(html.unescape(title.group(1)))
        return _short(html.unescape(_TAGS.sub(" ", text)))
    return _short(text)
