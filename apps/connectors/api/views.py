from django.db import connection
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.connectors.api import serializers as s
from apps.connectors.openapi import selectors, services

EditorsWrite = role_required(Role.EDITOR, safe_methods_for_members=True)


class OpenApiConnectorListApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.ConnectorOutput(many=True))
    def get(self, request):
        return Response(s.ConnectorOutput(selectors.connector_list(), many=True).data)

    @extend_schema(request=s.ConnectorImportInput, responses={201: s.ConnectorImportOutput})
    def post(self, request):
        data = s.ConnectorImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.connector_import(
            user=request.user,
            name=data.validated_data["name"],
            spec_text=data.validated_data.get("spec", ""),
            url=data.validated_data.get("url", "").strip(),
            allow_hosts=getattr(connection.tenant, "allowed_internal_hosts", None) or [],
        )
        return Response(s.ConnectorImportOutput.of(version), status=status.HTTP_201_CREATED)


class OpenApiConnectorDetailApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.ConnectorDetailOutput)
    def get(self, request, pk):
        connector = get_object_or_404(selectors.connector_list(), pk=pk)
        versions = list(selectors.connector_versions(connector=connector))
        return Response(s.ConnectorDetailOutput(s.ConnectorDetailOutput.of(connector, versions)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.connector_delete(connector=get_object_or_404(selectors.connector_list(), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
