"""How an item carries a stored file: `{"$file": "<uuid>", "name", "mime_type", "size"}` under any key.

Pure Python (no Django), so the engine and steps may use it too."""

from __future__ import annotations

import mimetypes
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


# The types of the office's files, the same on every machine (mimetypes reads the system's table, which varies and
# knows no HWP).
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "zip": "application/zip",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "eml": "message/rfc822",
}
GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "application/x-download", "application/force-download"})


def guess_mime_type(name: str) -> str:
    extension = str(name or "").rsplit(".", 1)[-1].lower() if "." in str(name or "") else ""
    return KNOWN_TYPES.get(extension) or mimetypes.guess_type(str(name or ""))[0] or "application/octet-stream"


def human_size(size: int) -> str:
    """1536 -> "1.5 KB": the same in every language (units are not translated)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    return f"{size} bytes"
