"""Bytes that connectors receive or send (email attachments, downloaded and uploaded files) as items' file values.

One place for the contract with the files app: a file in an item is `{"$file": "<uuid>", "name", "mime_type",
"size"}`. Until the files app is part of this branch, received bytes travel inline as base64 in `content_base64`
(small files only) and uploads accept text or that same shape."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable

from apps.flows.engine.errors import NodeError, gettext_noop

INLINE_LIMIT = 10 * 1024 * 1024


def guess_mime(name: str, mime_type: str | None = None) -> str:
    return mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"


def store(data: bytes, name: str, mime_type: str | None = None, *, run_id=None, flow_id=None) -> dict:
    """The item value for received bytes."""
    if len(data) > INLINE_LIMIT:
        raise NodeError(gettext_noop("The file “%(name)s” is larger than 10 MB."), code="file_too_large", values={"name": name})
    return {"name": name, "mime_type": guess_mime(name, mime_type), "size": len(data), "content_base64": base64.b64encode(data).decode()}


def attachment_refs(host) -> Callable[[bytes, str, str], dict]:
    return lambda data, name, mime: store(data, name, mime)


def read(value, *, label: str) -> tuple[bytes, str]:
    """(bytes, name) of a file value from an item, or of text to write as a file."""
    if isinstance(value, dict) and "content_base64" in value:
        return base64.b64decode(value["content_base64"]), str(value.get("name") or "file")
    if isinstance(value, str):
        return value.encode(), ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value), ""
    raise NodeError(
        gettext_noop("“%(label)s” is not a file or text. Pick the field that holds the file, e.g. {{ json.attachments[0] }}."),
        code="not_a_file",
        values={"label": label},
    )
