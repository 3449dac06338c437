"""REST API of AI modules: /api/v1/ai/modules (list, upload), /{id} (detail, switch versions, delete),
/{id}/versions (add a version), /{id}/predict (try on items), /{id}/comparison (candidate vs active)."""

import base64
import binascii

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.ai.api import serializers as s
from apps.ai.modules import selectors, services
from apps.core.api.parsers import BoundedJSONParser

EditorsWrite = role_required(Role.EDITOR, safe_methods_for_members=True)

CREATE_REQUEST = {
    "application/json": PolymorphicProxySerializer(
        component_name="AiModuleCreate", serializers=[s.OnnxModuleCreateInput, s.HttpModuleCreateInput], resource_type_field_name=None
    ),
    "multipart/form-data": s.AiModuleCreateInput,
}
VERSION_REQUEST = {
    "application/json": PolymorphicProxySerializer(
        component_name="AiModuleVersionCreate", serializers=[s.OnnxVersionInput, s.HttpVersionInput], resource_type_field_name=None
    ),
    "multipart/form-data": s.AiModuleCreateInput,
}


def _model_bytes(data) -> bytes | None:
    upload = data.get("file")
    if upload is not None:
        return upload.read()
    text = data.get("model_base64")
    if text:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise services.ModuleRefused(_("The file is not an ONNX model."), code="module_not_onnx", field="model_base64") from None
    return None


def _plain(data) -> dict:
    """Request data as a dict of values (a multipart QueryDict's last value per key, files kept)."""
    return data.dict() if hasattr(data, "dict") else dict(data)


def _detail(module) -> dict:
    module.version_rows = list(selectors.module_versions(module=module))
    return s.AiModuleDetailOutput(module).data


class ModuleChoicesApi(APIView):
    """The organization's modules with their versions and the item fields each reads: what the editor's module
    picker offers. Members read; another organization's modules are never listed (the schema is the host's)."""

    @extend_schema(responses=s.AiModuleChoiceOutput(many=True))
    def get(self, request):
        return Response(s.AiModuleChoiceOutput(selectors.module_choices(), many=True).data)


class ModuleListApi(APIView):
    permission_classes = [EditorsWrite]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(responses=s.AiModuleOutput(many=True))
    def get(self, request):
        return Response(s.AiModuleOutput(selectors.module_list(), many=True).data)

    @extend_schema(request=CREATE_REQUEST, responses={201: s.AiModuleDetailOutput})
    def post(self, request):
        data = s.AiModuleCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = services.ai_module_create(
            user=request.user,
            name=values.get("name", ""),
            kind=values["kind"],
            description=values.get("description"),
            model=_model_bytes(values),
            endpoint=values.get("endpoint"),
            summary=values["summary"],
            license=values["license"],
            example=values.get("example"),
        )
        return Response(_detail(version.module), status=status.HTTP_201_CREATED)


def _module(pk):
    return get_object_or_404(selectors.module_list(), pk=pk)


class ModuleDetailApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.AiModuleDetailOutput)
    def get(self, request, pk):
        return Response(_detail(_module(pk)))

    @extend_schema(request=s.AiModuleUpdateInput, responses=s.AiModuleDetailOutput)
    def patch(self, request, pk):
        module = _module(pk)
        data = s.AiModuleUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.ai_module_update(module=module, **data.validated_data)
        return Response(_detail(_module(pk)))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.ai_module_delete(module=_module(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleVersionListApi(APIView):
    permission_classes = [EditorsWrite]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(request=VERSION_REQUEST, responses={201: s.AiModuleDetailOutput})
    def post(self, request, pk):
        module = _module(pk)
        data = s.AiModuleCreateInput(data={"name": module.name, **_plain(request.data)})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.ai_module_version_add(
            module=module,
            user=request.user,
            description=values.get("description"),
            model=_model_bytes(values),
            endpoint=values.get("endpoint"),
            note=values["note"],
            example=values.get("example"),
            activate=values["activate"],
        )
        return Response(_detail(_module(pk)), status=status.HTTP_201_CREATED)


class ModulePredictApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(
        request=s.AiModulePredictInput,
        responses=inline_serializer("AiModulePredictions", {"results": serializers.ListField(child=serializers.DictField())}),
    )
    def post(self, request, pk):
        module = _module(pk)
        data = s.AiModulePredictInput(data=request.data)
        data.is_valid(raise_exception=True)
        results = services.ai_module_try(module=module, items=data.validated_data["items"], version=data.validated_data.get("version"))
        return Response({"results": results})


class ModuleComparisonApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.AiModuleComparisonOutput)
    def get(self, request, pk):
        module = _module(pk)
        return Response(
            s.AiModuleComparisonOutput(selectors.comparison_summary(module=module, candidate_version=module.candidate_version)).data
        )
