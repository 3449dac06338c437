from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.core.api.schema import paginated
from apps.core.errors import DomainError
from apps.flows import credential_kinds, selectors
from apps.flows.api import serializers as s
from apps.flows.engine.diff import graph_diff
from apps.flows.engine.schema import GRAPH_SCHEMA
from apps.flows.engine.validation import validate_graph
from apps.flows.import_report import import_status_text
from apps.flows.models import Variable
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.problems import problems_payload
from apps.flows.services import credentials as credential_services
from apps.flows.services import flows as flow_services
from apps.flows.services import oauth2 as oauth2_services
from apps.flows.services import variables as variable_services
from apps.flows.services.flows import graph_shape_check
from apps.flows.services.testing import node_test
from apps.flows.services.transfer import flow_export, flow_export_n8n, flow_import

EditorsWrite = role_required(Role.EDITOR, safe_methods_for_members=True)
AdminsWrite = role_required(Role.ADMIN, safe_methods_for_members=True)


def _flow(pk) -> object:
    return get_object_or_404(selectors.flow_list(), pk=pk)


class NodeCatalogApi(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}})
    def get(self, request):
        return Response([node_type.describe() for node_type in load_builtin_nodes().all()])


class GraphSchemaApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(GRAPH_SCHEMA)


class FlowListApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(
        parameters=[
            OpenApiParameter("tag", str, description="Only flows with this tag."),
            OpenApiParameter("active", str, enum=["true", "false"]),
            OpenApiParameter("search", str, description="Part of the name."),
            OpenApiParameter("page", int),
        ],
        responses=paginated("PaginatedFlowList", s.FlowListOutput(many=True)),
        operation_id="v1_flows_list",
    )
    def get(self, request):
        flows = selectors.flow_list()
        if request.query_params.get("tag"):
            flows = flows.filter(tags__contains=[request.query_params["tag"]])
        if request.query_params.get("active") in ("true", "false"):
            flows = flows.filter(active=request.query_params["active"] == "true")
        if request.query_params.get("search"):
            flows = flows.filter(name__icontains=request.query_params["search"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(flows, request, view=self)
        return paginator.get_paginated_response(s.FlowListOutput(page, many=True).data)

    @extend_schema(request=s.FlowInput, responses={201: s.FlowOutput})
    def post(self, request):
        data = s.FlowInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        flow = flow_services.flow_create(
            user=request.user,
            name=values.get("name", ""),
            description=values.get("description", ""),
            tags=values.get("tags"),
            graph=values.get("graph"),
        )
        return Response(s.FlowOutput(flow).data, status=status.HTTP_201_CREATED)


class FlowDetailApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.FlowOutput)
    def get(self, request, pk):
        return Response(s.FlowOutput(_flow(pk)).data)

    @extend_schema(request=s.FlowInput, responses=s.FlowOutput)
    def patch(self, request, pk):
        data = s.FlowInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision = values.pop("revision", None)
        flow = flow_services.flow_update(flow=_flow(pk), revision=revision, **values)
        return Response(s.FlowOutput(flow).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        flow_services.flow_delete(flow=_flow(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ValidateApi(APIView):
    """Validate a graph sent in the body, or the flow's draft when the body has none."""

    permission_classes = [EditorsWrite]

    @extend_schema(request=s.ValidateInput, responses={200: s.ValidateOutput})
    def post(self, request, pk=None):
        graph = request.data.get("graph") if isinstance(request.data, dict) and "graph" in request.data else None
        if graph is None:
            if pk is None:
                raise DomainError('Send the graph to validate as {"graph": {...}}.', code="invalid", field="graph")
            graph = _flow(pk).draft
        else:
            graph_shape_check(graph)
        problems = validate_graph(graph)
        return Response({"valid": not problems, "problems": problems_payload(problems)})


class FlowValidateApi(ValidateApi):
    @extend_schema(request=s.FlowValidateInput, responses={200: s.ValidateOutput}, operation_id="v1_flows_validate_flow")
    def post(self, request, pk):
        return super().post(request, pk)


class PublishApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=s.PublishInput, responses={201: s.VersionOutput})
    def post(self, request, pk):
        data = s.PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = flow_services.flow_publish(flow=_flow(pk), user=request.user, message=data.validated_data.get("message", ""))
        return Response(s.VersionOutput(version).data, status=status.HTTP_201_CREATED)


class ActivationApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]
    active = True

    @extend_schema(request=None, responses={200: s.FlowListOutput})
    def post(self, request, pk):
        flow = flow_services.flow_set_active(flow=_flow(pk), active=self.active)
        return Response(s.FlowListOutput(flow).data)


class VersionListApi(APIView):
    @extend_schema(responses=s.VersionOutput(many=True))
    def get(self, request, pk):
        return Response(s.VersionOutput(selectors.version_list(flow=_flow(pk)), many=True).data)


class VersionDetailApi(APIView):
    @extend_schema(responses=s.VersionDetailOutput)
    def get(self, request, pk, number):
        return Response(s.VersionDetailOutput(get_object_or_404(selectors.version_list(flow=_flow(pk)), number=number)).data)


class VersionRestoreApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=None, responses={200: s.FlowOutput})
    def post(self, request, pk, number):
        flow = _flow(pk)
        version = get_object_or_404(selectors.version_list(flow=flow), number=number)
        return Response(s.FlowOutput(flow_services.flow_restore_version(flow=flow, version=version)).data)


class VersionDiffApi(APIView):
    """?from=<number>&to=<number|draft>"""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="A version number or “draft”."),
            OpenApiParameter("to", str, description="A version number or “draft” (the default)."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk):
        flow = _flow(pk)

        def graph_of(ref):
            if ref == "draft":
                return flow.draft
            if not str(ref).isdecimal():
                raise DomainError("Use a version number or “draft”.", code="invalid", field="from")
            return get_object_or_404(selectors.version_list(flow=flow), number=int(ref)).graph

        return Response(graph_diff(graph_of(request.query_params.get("from", "")), graph_of(request.query_params.get("to", "draft"))))


class PinApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=s.PinInput, responses={200: s.FlowOutput})
    def post(self, request, pk):
        data = s.PinInput(data=request.data)
        data.is_valid(raise_exception=True)
        flow = flow_services.flow_pin_data(flow=_flow(pk), node_id=data.validated_data["node_id"], items=data.validated_data["items"])
        return Response(s.FlowOutput(flow).data)


class TestNodeApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=s.TestNodeInput, responses={200: s.TestNodeOutput})
    def post(self, request, pk):
        data = s.TestNodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        flow, node_id, items = _flow(pk), data.validated_data["node_id"], data.validated_data.get("items")
        return Response(node_test(flow=flow, node_id=node_id, items=items, tester_id=request.user.pk))


class ExportApi(APIView):
    @extend_schema(responses=s.FlowExportSerializer)
    def get(self, request, pk):
        return Response(flow_export(flow=_flow(pk)))


class ExportN8nApi(APIView):
    """The flow as an n8n workflow JSON, for the steps that have an n8n equivalent (the rest: No Operation nodes)."""

    @extend_schema(responses=s.N8nExportOutput)
    def get(self, request, pk):
        return Response(flow_export_n8n(flow=_flow(pk)))


class ImportApi(APIView):
    """Body: an EZFlow export or an n8n workflow JSON. Creates a new flow (draft)."""

    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="FlowImport",
            serializers=[s.FlowExportSerializer, s.N8nWorkflowInput],
            resource_type_field_name=None,
        ),
        responses={201: s.ImportOutput},
    )
    def post(self, request):
        result = flow_import(user=request.user, data=request.data)
        flows = [self._one(found) for found in result["flows"]]
        return Response({**flows[0], "flows": flows}, status=status.HTTP_201_CREATED)

    @staticmethod
    def _one(result: dict) -> dict:
        return {
            "flow": s.FlowOutput(result["flow"]).data,
            "source": result["source"],
            "unsupported": result["unsupported"],
            "warnings": result["warnings"],
            "report": [{**entry, "summary": import_status_text(entry)} for entry in result["report"]],
            "credentials": result["credentials"],
            "problems": result["problems"],
        }


class VariableListApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.VariableSerializer(many=True))
    def get(self, request):
        return Response(s.VariableSerializer(Variable.objects.all(), many=True).data)

    @extend_schema(request=s.VariableSerializer, responses={201: s.VariableSerializer})
    def post(self, request):
        data = s.VariableSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variable = variable_services.variable_create(name=data.validated_data.get("name", ""), value=data.validated_data.get("value", ""))
        return Response(s.VariableSerializer(variable).data, status=status.HTTP_201_CREATED)


class VariableDetailApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(request=s.VariableSerializer, responses=s.VariableSerializer)
    def patch(self, request, pk):
        data = s.VariableSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        variable = variable_services.variable_update(variable=get_object_or_404(Variable, pk=pk), **data.validated_data)
        return Response(s.VariableSerializer(variable).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        get_object_or_404(Variable, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class CredentialTypesApi(APIView):
    @extend_schema(responses=s.CredentialTypeOutput(many=True))
    def get(self, request):
        return Response([kind.describe() for kind in credential_kinds.all_kinds()])


class CredentialListApi(APIView):
    permission_classes = [AdminsWrite]

    @extend_schema(responses=s.CredentialOutput(many=True))
    def get(self, request):
        return Response(s.CredentialOutput(selectors.credential_list(), many=True).data)

    @extend_schema(request=s.CredentialInput, responses={201: s.CredentialOutput})
    def post(self, request):
        data = s.CredentialInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        credential = credential_services.credential_create(
            user=request.user, name=v.get("name", ""), type=v.get("type", ""), data=v.get("data", {})
        )
        return Response(s.CredentialOutput(credential).data, status=status.HTTP_201_CREATED)


class CredentialDetailApi(APIView):
    permission_classes = [AdminsWrite]

    def _get(self, pk):
        return get_object_or_404(selectors.credential_list(), pk=pk)

    @extend_schema(responses=s.CredentialDetailOutput)
    def get(self, request, pk):
        credential = self._get(pk)
        return Response({**s.CredentialOutput(credential).data, "fields": credential_services.credential_public_fields(credential)})

    @extend_schema(request=s.CredentialUpdateInput, responses=s.CredentialOutput)
    def patch(self, request, pk):
        data = s.CredentialUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        credential = credential_services.credential_update(
            credential=self._get(pk), name=data.validated_data.get("name"), data=data.validated_data.get("data")
        )
        return Response(s.CredentialOutput(credential).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        self._get(pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class CredentialTestApi(APIView):
    """ "Test connection": one request with the credential; {"ok": bool, "message": translated}."""

    permission_classes = [role_required(Role.ADMIN)]

    @extend_schema(request=s.CredentialTestInput, responses={200: s.CredentialTestOutput})
    def post(self, request, pk):
        data = s.CredentialTestInput(data=request.data)
        data.is_valid(raise_exception=True)
        credential = get_object_or_404(selectors.credential_list(), pk=pk)
        return Response(credential_services.credential_test(credential=credential, url=data.validated_data.get("url", "")))


class CredentialOAuth2AuthorizeApi(APIView):
    """The provider's sign-in address for an OAuth2 credential; the browser goes there and comes back to
    /oauth2/callback/ on this organization's host."""

    permission_classes = [role_required(Role.ADMIN)]

    @extend_schema(request=s.OAuth2AuthorizeInput, responses={200: s.OAuth2AuthorizeOutput})
    def post(self, request, pk):
        # The body is optional (older clients post nothing, or an empty form).
        data = s.OAuth2AuthorizeInput(data=request.data if request.content_type.startswith("application/json") else {})
        data.is_valid(raise_exception=True)
        credential = get_object_or_404(selectors.credential_list(), pk=pk)
        url = oauth2_services.oauth2_authorize(
            credential=credential, user=request.user, organization=request.tenant, return_to=data.validated_data.get("return_to", "")
        )
        return Response({"authorization_url": url, "redirect_uri": oauth2_services.oauth2_redirect_uri(request.tenant)})
