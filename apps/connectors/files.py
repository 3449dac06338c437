"""Bytes that connectors receive or send (email attachments, downloaded and uploaded files) as items' file references
(docs/files.md): `{"$file": "<uuid>", "name", "mime_type", "size"}`, stored for the organization by the host's file
store (`ctx.file_save` in steps, `host.files` in triggers that poll before their run exists; the runs app attaches
such files to the run it starts)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import BinaryIO

from apps.files.refs import is_file_ref
from apps.flows.engine.errors import NodeError, gettext_noop

# The most a connector reads before handing bytes to the file store, which applies the organization's own limit.
READ_LIMIT = 200 * 1024 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


def spooled() -> BinaryIO:
    """A buffer for a download: in memory while small, then a temporary file."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it


def attachment_saver(host) -> Callable[[bytes, str, str], dict]:
    """Saves an attachment found by a polling trigger (before its run exists) and returns its reference."""
    store = getattr(host, "files", None)
    if store is None:
        return lambda data, name, mime: {"name": name, "mime_type": mime, "size": len(data)}

    def save(data: bytes, name: str, mime: str) -> dict:
        try:
            return store.save(data=data, name=name, mime_type=mime)
        except NodeError as refused:
            # Too large for the organization's file limits: the email still starts its run, the attachment says why
            # it is missing (the same shape as a file reference whose bytes are not stored).
            return {"$file": None, "name": name, "mime_type": mime, "size": len(data), "error": refused.message}

    return save


def content_of(ctx, value) -> tuple[bytes, str]:
    """(bytes, name) of a file reference from an item, or of text to write as a file (no name)."""
    if is_file_ref(value):
        return ctx.file_read(value), str(value.get("name") or "file")
    if isinstance(value, dict) and value.get("$file", 0) is None:
        raise NodeError(
            gettext_noop("The file was not stored (it came from an export or a template). Run the step that makes it first."),
            code="not_a_file",
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return value.encode(), ""
    raise NodeError(
        gettext_noop("The value to save is not a file or text. Pick the field that holds the file, e.g. {{ json.attachments[0] }}."),
        code="not_a_file",
    )


def too_large(name: str) -> NodeError:
    return NodeError(gettext_noop("The file “%(name)s” is larger than 200 MB."), code="file_too_large", values={"name": name})
