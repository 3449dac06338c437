"""multipart/form-data webhook calls: form fields become values of the item's body, uploads become stored files.

`{"body": {"note": "for March", "file": {"$file": "…", "name": "sales.xlsx", ...}}}`: one upload per field is a
reference, several under one field a list of them. The whole body is bounded before parsing
(EZFLOW_FILES_WEBHOOK_MAX_BYTES in apps.runs.webhooks.asgi), each file by the organization's limit (file_save)."""

from __future__ import annotations

import io

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.files.errors import FilesError
from apps.files.services import file_save, files_delete

MULTIPART = "multipart/form-data"


def parse_multipart(*, body: bytes, content_type: str, flow_id=None) -> dict:
    """The form as a dict; uploads are saved as files of the current organization (deleted again if any fails)."""
    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
    handlers = [MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    try:
        fields, uploads = MultiPartParser(meta, io.BytesIO(body), handlers, "utf-8").parse()
    except (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig) as exc:
        raise DomainError(_("The form has too many fields or files, or its fields are too long."), code="too_large", status=413) from exc
    except (MultiPartParserError, SuspiciousOperation, ValueError) as exc:
        raise DomainError(_("The request body is not a valid multipart form."), code="bad_multipart") from exc
    result: dict = {}
    for name in fields:
        values = fields.getlist(name)
        if any("\x00" in value or "\x00" in name for value in values):
            raise DomainError(_("The form contains a NUL character, which is not allowed."), code="invalid_text")
        result[name] = values[0] if len(values) == 1 else values
    saved: list[dict] = []
    try:
        for name in uploads:
            refs = []
            for upload in uploads.getlist(name):
                with upload:
                    ref = file_save(data=upload, name=upload.name or name, mime_type=upload.content_type, flow_id=flow_id)
                saved.append(ref)
                refs.append(ref)
            result[name.replace("\x00", "")] = refs[0] if len(refs) == 1 else refs
    except FilesError:
        files_delete(refs=saved)
        raise
    return result
