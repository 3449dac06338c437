"""How an item carries a stored file: `{"$file": "<uuid>", "name", "mime_type", "size"}` under any key.

Pure Python (no Django), so the engine and steps may use it too."""

from __future__ import annotations

import re
from collections.abc import Iterator

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_DEPTH = 20
REF_KEY = "$file"


def is_file_ref(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get(REF_KEY), str) and bool(_UUID.fullmatch(value[REF_KEY].lower()))


def file_id_of(value) -> str | None:
    """The id a reference (a bare id, a StoredFile) names, or None when it names none."""
    raw = value.get(REF_KEY) if isinstance(value, dict) else getattr(value, "pk", value)  # a StoredFile too
    text = str(raw or "").lower()
    return text if _UUID.fullmatch(text) else None


def file_refs_in(value, *, depth: int = 0) -> Iterator[dict]:
    """Every file reference inside an item (or a list of items), depth first, bounded in depth."""
    if depth > MAX_DEPTH:
        return
    if is_file_ref(value):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from file_refs_in(inner, depth=depth + 1)
    elif isinstance(value, list):
        for inner in value:
            yield from file_refs_in(inner, depth=depth + 1)


def human_size(size: int) -> str:
    """1536 -> "1.5 KB": the same in every language (units are not translated)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    return f"{size} bytes"
