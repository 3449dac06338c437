"""Writes of stored files: save, delete with runs, prune expired ones, sign download links.

Every function works in the current organization's schema (connection.schema_name): a web request on the
organization's host, a worker whose connection was set to the organization's schema. A reference of another
organization is simply not found."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import tempfile
import unicodedata
import uuid
from typing import BinaryIO

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.files.errors import FilesError
from apps.files.models import StoredFile
from apps.files.refs import GENERIC_TYPES, file_id_of, guess_mime_type, human_size
from apps.files.selectors import file_get, is_file_ref  # noqa: F401  (is_file_ref is part of this module's API)
from apps.files.storage import files_storage, storage_key

logger = logging.getLogger("ezflow.files")

CHUNK = 64 * 1024
LINK_SALT = "ezflow.files.link"
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")


def file_save(*, data: bytes | BinaryIO, name: str, mime_type: str | None = None, run_id=None, flow_id=None) -> dict:
    """Stores `data` for the current organization and returns its reference for an item:
    `{"$file": "<uuid>", "name", "mime_type", "size"}`. Raises FilesError (`file_too_large`, `storage_full`) past the
    organization's limits, before anything is kept."""
    schema = _organization_schema()
    limits = files_limits()
    name = clean_name(name)
    mime_type = clean_mime_type(mime_type, name)
    spooled = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115  (closed below)
    try:
        size, digest = _copy_bounded(data, spooled, limits["max_file_bytes"], name)
        used = StoredFile.objects.aggregate(total=Sum("size"))["total"] or 0
        if used + size > limits["max_total_bytes"]:
            raise FilesError(
                gettext_noop(
                    "Your organization's file storage is full (%(limit)s). Files are deleted with their runs; "
                    "ask EZFlow support for more space."
                ),
                values={"limit": human_size(limits["max_total_bytes"])},
                code="storage_full",
                status=413,
            )
        file_id = str(uuid.uuid4())
        spooled.seek(0)
        try:
            key = files_storage().save(storage_key(schema, file_id), File(spooled, name=file_id))
        except Exception as exc:
            logger.warning("file storage refused a write", extra={"organization": schema}, exc_info=True)
            raise FilesError(
                gettext_noop("The file could not be stored right now. Please try again in a moment."),
                code="storage_unavailable",
                status=503,
            ) from exc
    finally:
        spooled.close()
    stored = StoredFile(
        id=file_id,
        name=name,
        mime_type=mime_type,
        size=size,
        sha256=digest,
        storage_key=key,
        run_id=_plain_id(run_id),
        flow_id=_plain_id(flow_id),
        expires_at=_expiry(run_id),
    )
    try:
        stored.save(force_insert=True)
    except Exception:
        _delete_bytes([key])
        raise
    return stored.as_ref()


def file_read(ref) -> bytes:
    """The bytes of a file of the current organization (FilesError `file_not_found` otherwise)."""
    with file_open(ref) as handle:
        return handle.read()


def file_open(ref) -> BinaryIO:
    """The bytes of a file of the current organization as an open binary file; the caller closes it."""
    stored = file_get(ref)
    try:
        return files_storage().open(stored.storage_key, "rb")
    except FileNotFoundError:
        raise _missing() from None
    except Exception as exc:
        if type(exc).__name__ in {"ClientError", "NoSuchKey"}:
            raise _missing() from None
        raise FilesError(
            gettext_noop("The file could not be read right now. Please try again in a moment."), code="storage_unavailable", status=503
        ) from exc


def files_attach_to_run(*, refs, run_id) -> int:
    """Files saved before their run existed (a webhook's uploads) now belong to it: deleted with it."""
    ids = [ref["$file"] for ref in refs if is_file_ref(ref)]
    if not ids:
        return 0
    return StoredFile.objects.filter(pk__in=ids, run_id__isnull=True).update(run_id=_plain_id(run_id), expires_at=_expiry(run_id))


def files_keep(*, refs) -> int:
    """Files referenced by something kept until a person removes it (pinned test data): they no longer expire."""
    ids = [ref["$file"] for ref in refs if is_file_ref(ref)]
    return StoredFile.objects.filter(pk__in=ids).update(expires_at=None) if ids else 0


def files_delete_for_runs(*, run_ids) -> int:
    """Deletes the files of these runs (the runs app calls it when it prunes runs) and their bytes after commit."""
    run_ids = [int(run_id) for run_id in run_ids]
    if not run_ids:
        return 0
    return _delete(StoredFile.objects.filter(run_id__in=run_ids))


def files_delete_for_flow(*, flow_id) -> int:
    """Deletes every file of a flow being deleted (its runs' and its pinned data's)."""
    return _delete(StoredFile.objects.filter(flow_id=int(flow_id)))


def files_prune_expired(*, now: dt.datetime | None = None) -> int:
    """Deletes files past their expiry time in the current organization."""
    return _delete(StoredFile.objects.filter(expires_at__lt=now or timezone.now()))


def files_remove_orphans(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Deletes bytes under the current organization's prefix that no StoredFile row names (a transaction that stored
    a file was rolled back), once they are older than `older_than`. Lists every key: run it daily at most
    (`manage.py files_remove_orphans`)."""
    schema = _organization_schema()
    storage = files_storage()
    known = set(StoredFile.objects.values_list("storage_key", flat=True))
    cutoff = timezone.now() - older_than
    removed = 0
    try:
        folders, _files = storage.listdir(schema)
    except FileNotFoundError:
        return 0
    for folder in folders:
        for name in storage.listdir(f"{schema}/{folder}")[1]:
            key = f"{schema}/{folder}/{name}"
            if key in known or key.removesuffix(".preview.png") in known or storage.get_modified_time(key) > cutoff:
                continue
            storage.delete(key)
            removed += 1
    return removed


def files_delete(*, refs) -> int:
    ids = [ref["$file"] for ref in refs if is_file_ref(ref)]
    return _delete(StoredFile.objects.filter(pk__in=ids)) if ids else 0


def file_link(ref, *, seconds: int | None = None) -> str:
    """A path `/files/<signed token>` on the organization's host that lets its members download the file until the
    link expires (EZFLOW_FILES_LINK_SECONDS)."""
    file_id = file_id_of(ref)
    if file_id is None:
        raise _not_a_file()
    payload = {"s": _organization_schema(), "f": file_id}
    if seconds is not None:
        payload["t"] = int(seconds)
    return f"/files/{signing.dumps(payload, salt=LINK_SALT, compress=False)}"


def file_link_resolve(token: str) -> dict:
    """The schema and file id a link names, if its signature holds and it has not expired; FilesError otherwise."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=_link_seconds(token))
    except signing.SignatureExpired:
        raise FilesError(
            gettext_noop("This download link has expired. Open the run again for a new one."), code="link_expired", status=410
        ) from None
    except signing.BadSignature:
        raise _missing() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), str) or not isinstance(payload.get("f"), str):
        raise _missing()
    return {"schema": payload["s"], "file_id": payload["f"]}


def files_limits() -> dict:
    organization = _organization()
    max_file = getattr(organization, "file_max_bytes", None) or settings.EZFLOW_FILES_MAX_FILE_BYTES
    max_total = getattr(organization, "files_max_total_bytes", None) or settings.EZFLOW_FILES_MAX_TOTAL_BYTES
    return {"max_file_bytes": int(max_file), "max_total_bytes": int(max_total)}


def clean_name(name) -> str:
    """A file name safe to show and to send in a Content-Disposition header: no folders, no control characters."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not text:
        return "file"
    if len(text) > 200:
        stem, dot, extension = text.rpartition(".")
        text = (stem[: 200 - len(extension) - 1] + "." + extension) if dot and len(extension) <= 20 else text[:200]
    return text


def clean_mime_type(mime_type, name: str) -> str:
    """The given type without parameters; guessed from the name when missing, malformed or only "bytes"."""
    value = str(mime_type or "").split(";")[0].strip().lower()
    if _MIME.fullmatch(value) and value not in GENERIC_TYPES:
        return value
    return guess_mime_type(name)


def _copy_bounded(data, target, limit: int, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0

    def too_large():
        return FilesError(
            gettext_noop("The file “%(name)s” is larger than %(limit)s, the most your organization may store in one file."),
            values={"name": name, "limit": human_size(limit)},
            code="file_too_large",
            status=413,
            extra={"limit": limit},
        )

    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if len(data) > limit:
            raise too_large()
        target.write(data)
        return len(data), hashlib.sha256(data).hexdigest()
    if not hasattr(data, "read"):
        raise FilesError(gettext_noop("Only bytes or an open binary file can be stored as a file."), code="not_a_file")
    while True:
        chunk = data.read(CHUNK)
        if not chunk:
            break
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        size += len(chunk)
        if size > limit:
            raise too_large()
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def _delete(queryset) -> int:
    keys = list(queryset.values_list("storage_key", flat=True))
    if not keys:
        return 0
    deleted = queryset.delete()[0]
    transaction.on_commit(lambda: _delete_bytes(keys))
    return deleted


def _delete_bytes(keys) -> None:
    from apps.files.previews import remove_preview_bytes

    storage = files_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            logger.warning("stored bytes could not be deleted", extra={"key": key}, exc_info=True)
        remove_preview_bytes(storage, key)


def _expiry(run_id) -> dt.datetime:
    """Every file expires at the latest when its run would: a run of a flow with history off is never saved, and a
    run pruned for the count deletes its files earlier (files_delete_for_runs)."""
    now = timezone.now()
    if run_id is None:
        return now + dt.timedelta(days=settings.EZFLOW_FILES_UNATTACHED_DAYS)
    days = getattr(_organization(), "run_retention_days", None) or 30
    return now + dt.timedelta(days=int(days) + 1)


def _link_seconds(token: str) -> int:
    try:
        payload = signing.loads(token, salt=LINK_SALT)  # the signature is checked again with the age just below
    except signing.BadSignature:
        return settings.EZFLOW_FILES_LINK_SECONDS
    seconds = payload.get("t") if isinstance(payload, dict) else None
    return (
        min(int(seconds), settings.EZFLOW_FILES_LINK_SECONDS)
        if isinstance(seconds, int) and seconds > 0
        else settings.EZFLOW_FILES_LINK_SECONDS
    )


def _plain_id(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _organization_schema() -> str:
    schema = connection.schema_name
    if not schema or schema == settings.PUBLIC_SCHEMA_NAME:
        raise FilesError(gettext_noop("Files belong to an organization; none is selected."), code="no_organization", status=400)
    return schema


def _organization():
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and hasattr(tenant, "file_max_bytes") and getattr(tenant, "schema_name", None) == connection.schema_name:
        return tenant
    from apps.accounts.models import Organization

    return Organization.objects.filter(schema_name=connection.schema_name).first()


def _not_a_file() -> FilesError:
    return FilesError(gettext_noop("This value is not a file. Choose the field of the item that holds a file."), code="not_a_file")


def _missing() -> FilesError:
    return FilesError(gettext_noop("The file was not found. It may have been deleted with its run."), code="file_not_found", status=404)
