"""`/files/<signed token>`: a member of the organization downloads a stored file on the organization's host."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.files.errors import FilesError
from apps.files.previews import IMAGE_TYPES, file_preview
from apps.files.selectors import file_get
from apps.files.services import file_link_resolve, file_open

# Shown in the browser (previews, a link opened in a tab); every other type is downloaded, never rendered on the
# organization's host (an HTML or SVG file could run scripts there).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"})


def _linked_file(request, token: str):
    """The organization's stored file a link names, for a signed-in member on the organization's host."""
    if request.membership is None:
        raise Http404
    target = file_link_resolve(token)
    if target["schema"] != connection.schema_name:
        raise Http404  # a link of another organization: as if it did not exist
    return file_get(target["file_id"])


@login_required
@require_safe
def file_download(request, token: str):
    try:
        stored = _linked_file(request, token)
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


@login_required
@require_safe
def file_preview_image(request, token: str):
    """`/files/<token>/preview`: a PNG of the file (a PDF's first page), or the image itself; 404 when there is none."""
    try:
        stored = _linked_file(request, token)
        if stored.mime_type in IMAGE_TYPES:
            return file_download(request, token)
        picture = file_preview(stored)
    except FilesError as exc:
        if exc.code == "link_expired":
            return render(request, "files/link_unusable.html", {"error": exc.message}, status=410)
        raise Http404 from None
    response = HttpResponse(picture, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
