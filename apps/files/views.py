"""`/files/<signed token>`: a member of the organization downloads a stored file on the organization's host."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.files.errors import FilesError
from apps.files.selectors import file_get
from apps.files.services import file_link_resolve, file_open

# Shown in the browser (previews, a link opened in a tab); every other type is downloaded, never rendered on the
# organization's host (an HTML or SVG file could run scripts there).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"})


@login_required
@require_safe
def file_download(request, token: str):
    if request.membership is None:
        raise Http404
    try:
        target = file_link_resolve(token)
        if target["schema"] != connection.schema_name:
            raise Http404  # a link of another organization: as if it did not exist
        stored = file_get(target["file_id"])
        handle = file_open(stored)
    except FilesError as exc:
        if exc.code == "link_expired":
            return render(request, "files/link_unusable.html", {"error": exc.message}, status=410)
        raise Http404 from None
    inline = stored.mime_type in INLINE_TYPES and request.GET.get("download") != "1"
    content_type = stored.mime_type if inline else "application/octet-stream"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(handle, as_attachment=not inline, filename=stored.name, content_type=content_type)
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
