"""Files in the engine: steps store and read bytes through their context (`ctx.file_save`, `ctx.file_read`,
`ctx.file_open`), which asks the host's file store. The product's store keeps them per organization (apps/files);
LocalHost keeps them in memory for tests and previews."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import BinaryIO, Protocol

from apps.files.refs import GENERIC_TYPES, file_id_of, guess_mime_type, human_size, is_file_ref
from apps.flows.engine.errors import NodeError, gettext_noop

__all__ = ["FileStore", "MemoryFiles", "is_file_ref", "file_ref_at"]


class FileStore(Protocol):
    def save(self, *, data: bytes | BinaryIO, name: str, mime_type: str | None = None, run_id=None, flow_id=None) -> dict: ...

    def read(self, ref) -> bytes: ...

    def open(self, ref) -> BinaryIO: ...


def not_found() -> NodeError:
    return NodeError(gettext_noop("The file was not found. It may have been deleted with its run."), code="file_not_found")


def file_ref_at(item: dict, field: str) -> dict:
    """The file reference in `field` of an item (a dotted path), or a clear error naming the field."""
    value = item
    for part in str(field or "").split("."):
        if isinstance(value, list) and part.isdecimal() and int(part) < len(value):
            value = value[int(part)]
        else:
            value = value.get(part) if isinstance(value, dict) else None
    if not is_file_ref(value):
        raise NodeError(
            gettext_noop("The field “%(field)s” of the item holds no file. Choose the field that holds one (for example “file”)."),
            code="not_a_file",
            values={"field": str(field)},
        )
    return value


def _mime_type(given, name: str) -> str:
    value = str(given or "").split(";")[0].strip().lower()
    return value if value and "/" in value and value not in GENERIC_TYPES else guess_mime_type(name)


class MemoryFiles:
    """An in-memory file store (LocalHost): same references, same size limit, nothing written to disk."""

    def __init__(self, *, max_file_bytes: int = 25 * 1024 * 1024):
        self.max_file_bytes = max_file_bytes
        self.files: dict[str, tuple[dict, bytes]] = {}

    def save(self, *, data, name, mime_type=None, run_id=None, flow_id=None) -> dict:
        raw = bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else data.read(self.max_file_bytes + 1)
        if len(raw) > self.max_file_bytes:
            raise NodeError(
                gettext_noop("The file “%(name)s” is larger than %(limit)s, the most your organization may store in one file."),
                code="file_too_large",
                values={"name": str(name), "limit": human_size(self.max_file_bytes)},
            )
        file_id = str(uuid.uuid4())
        ref = {
            "$file": file_id,
            "name": str(name or "file"),
            "mime_type": _mime_type(mime_type, str(name)),
            "size": len(raw),
        }
        self.files[file_id] = ({**ref, "sha256": hashlib.sha256(raw).hexdigest()}, raw)
        return ref

    def read(self, ref) -> bytes:
        found = self.files.get(file_id_of(ref) or "")
        if found is None:
            raise not_found()
        return found[1]

    def open(self, ref) -> BinaryIO:
        return io.BytesIO(self.read(ref))
