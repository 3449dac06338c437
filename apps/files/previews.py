"""Pictures of files that are not pictures themselves (a PDF's first page) for the run page and the editor.

Files knows no document format: an app that can draw one registers a previewer for its MIME type (the documents app
registers PDF from its `ready()`, rendering in its limited child process). A preview is made on first request and
kept next to the file's bytes (`<key>.preview.png`, the organization's own prefix), deleted with the file."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils.translation import gettext_noop

from apps.files.errors import FilesError
from apps.files.models import StoredFile
from apps.files.storage import files_storage

logger = logging.getLogger("ezflow.files")

SUFFIX = ".preview.png"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_SOURCE_BYTES = 50 * 1024 * 1024

_previewers: dict[str, Callable[[bytes], bytes]] = {}


def register_previewer(mime_type: str, render: Callable[[bytes], bytes]) -> None:
    """`render(data) -> PNG bytes`; raises for a file it cannot draw."""
    _previewers[mime_type] = render


def has_preview(mime_type: str) -> bool:
    return mime_type in IMAGE_TYPES or mime_type in _previewers


def preview_key(stored: StoredFile) -> str:
    return stored.storage_key + SUFFIX


def file_preview(stored: StoredFile) -> bytes:
    """The PNG preview of a stored file of a previewable type other than an image (made once, then kept)."""
    render = _previewers.get(stored.mime_type)
    if render is None or stored.size > MAX_SOURCE_BYTES:
        raise _no_preview()
    storage = files_storage()
    key = preview_key(stored)
    if storage.exists(key):
        with storage.open(key, "rb") as kept:
            return kept.read()
    with storage.open(stored.storage_key, "rb") as handle:
        data = handle.read()
    try:
        picture = render(data)
    except Exception as exc:  # a damaged or hostile file: no preview, the download still works
        logger.info("no preview", extra={"file": str(stored.pk), "reason": str(exc)[:200]})
        raise _no_preview() from None
    storage.save(key, ContentFile(picture))
    return picture


def _no_preview() -> FilesError:
    return FilesError(gettext_noop("This file has no preview."), code="no_preview", status=404)


def remove_preview_bytes(storage, key: str) -> None:
    try:
        if storage.exists(key + SUFFIX):
            storage.delete(key + SUFFIX)
    except Exception:
        logger.warning("preview bytes could not be deleted", extra={"key": key}, exc_info=True)
