from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.files.api.serializers import FileLinksInput, FileLinksOutput
from apps.files.previews import has_preview
from apps.files.selectors import files_by_id
from apps.files.services import file_link


class FileLinksApi(APIView):
    """Signed, expiring download links for files of this organization (any member); unknown ids are left out."""

    @extend_schema(request=FileLinksInput, responses={200: FileLinksOutput})
    def post(self, request):
        given = FileLinksInput(data=request.data)
        given.is_valid(raise_exception=True)
        found = files_by_id([str(file_id) for file_id in given.validated_data["files"]])
        files = [
            {
                "id": stored.pk,
                "name": stored.name,
                "mime_type": stored.mime_type,
                "size": stored.size,
                "url": link,
                "expires_in": settings.EZFLOW_FILES_LINK_SECONDS,
                "preview_url": f"{link}/preview" if has_preview(stored.mime_type) else None,
            }
            for stored, link in ((stored, file_link(stored)) for stored in found.values())
        ]
        return Response(FileLinksOutput({"files": files}).data)
