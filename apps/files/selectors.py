"""Reads of stored files, always in the current organization's schema."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_noop

from apps.files.errors import FilesError
from apps.files.models import StoredFile
from apps.files.refs import file_id_of, file_refs_in, is_file_ref  # noqa: F401  (part of this module's API)


def file_get(ref) -> StoredFile:
    """The StoredFile a reference (or a bare id) names in the current organization; FilesError otherwise."""
    if isinstance(ref, StoredFile):
        return ref
    file_id = file_id_of(ref)
    if file_id is None:
        raise FilesError(gettext_noop("This value is not a file. Choose the field of the item that holds a file."), code="not_a_file")
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None:
        raise FilesError(gettext_noop("The file was not found. It may have been deleted with its run."), code="file_not_found", status=404)
    return stored


def files_of_run(run_id) -> list[StoredFile]:
    return list(StoredFile.objects.filter(run_id=run_id).order_by("created_at"))


def files_by_id(ids) -> dict[str, StoredFile]:
    ids = [file_id for file_id in map(file_id_of, ids) if file_id]
    return {str(stored.pk): stored for stored in StoredFile.objects.filter(pk__in=ids)} if ids else {}


def files_usage() -> int:
    return StoredFile.objects.aggregate(total=Sum("size"))["total"] or 0
