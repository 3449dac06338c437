from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsEditor
from apps.assistant.api import serializers as s
from apps.assistant.services import assistant_draft


class DraftApi(APIView):
    """A flow drafted from one sentence, or the given flow changed by it (offline planner)."""

    permission_classes = [IsEditor]

    @extend_schema(request=s.DraftInput, responses={200: s.DraftOutput})
    def post(self, request):
        data = s.DraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        answer = assistant_draft(
            user=request.user,
            organization=connection.tenant,
            prompt=values["prompt"],
            graph=values.get("graph"),
            language=values.get("language", ""),
        )
        return Response(answer)
