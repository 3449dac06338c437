from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import ApiToken
from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.core.api.schema import paginated
from apps.flows.selectors import flow_list
from apps.runs.api.serializers import (
    RealtimeTicketOutput,
    RunDetailOutput,
    RunInput,
    RunOutput,
    RunRetryInput,
    WebhookListenInput,
    WebhookListenOutput,
)
from apps.runs.forms import RunFilterForm
from apps.runs.models import Run
from apps.runs.selectors import DEFAULT_PERIOD, PERIODS, run_list, run_stats
from apps.runs.services.runs import run_cancel, run_create, run_enqueue, run_retry


class RealtimeTicketApi(APIView):
    """A one-use ticket for `/ws/?ticket=...`, valid for one minute, bound to the caller's session or API token."""

    @extend_schema(request=None, responses={201: RealtimeTicketOutput})
    def post(self, request):
        from apps.accounts.middleware import current_organization
        from apps.runs.realtime.auth import TICKET_MAX_AGE, ticket_for

        token = request.auth if isinstance(request.auth, ApiToken) else None  # Bearer; otherwise the browser session
        ticket = ticket_for(
            user=request.user,
            organization=current_organization(request),
            session_key=None if token else request.session.session_key,
            token_id=token.pk if token else None,
        )
        return Response({"ticket": ticket, "path": f"/ws/?ticket={ticket}", "expires_in": TICKET_MAX_AGE}, status=status.HTTP_201_CREATED)


def _valid(form):
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return form


class RunListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("flow", int),
            OpenApiParameter("status", str, enum=Run.Status.values),
            OpenApiParameter("trigger", str, enum=Run.Trigger.values),
            OpenApiParameter("kind", str, enum=["production", "test"], description="Production runs or the editor's tests only."),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="A day in the organization's time zone."),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("q", str, description="A run id, like 123 or #123."),
            OpenApiParameter("page", int),
        ],
        responses=paginated("PaginatedRunList", RunOutput(many=True)),
        operation_id="v1_runs_list",
    )
    def get(self, request):
        runs = run_list(**_valid(RunFilterForm(request.query_params)).filters())
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(RunOutput(page, many=True).data)


class RunStatsApi(APIView):
    """Runs over time, success rate, p50/p95 duration and top errors, for the organization or one flow."""

    @extend_schema(
        parameters=[
            OpenApiParameter("flow", int, description="One flow instead of the whole organization."),
            OpenApiParameter("period", str, enum=list(PERIODS), description=f"Default {DEFAULT_PERIOD}."),
            OpenApiParameter("tests", bool, description="Count the editor's test runs too (left out by default)."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        from apps.accounts.middleware import current_organization

        flow_id = request.query_params.get("flow") or None
        if flow_id is not None and not (flow_id.isdecimal() and flow_list().filter(pk=int(flow_id)).exists()):
            raise NotFound(_("That flow does not exist in this organization."))
        period = request.query_params.get("period") or DEFAULT_PERIOD
        if period not in PERIODS:
            raise ValidationError({"period": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(PERIODS)}]})
        organization = current_organization(request)
        include_tests = request.query_params.get("tests") in ("1", "true")
        stats = run_stats(
            flow_id=int(flow_id) if flow_id else None, period=period, time_zone=organization.time_zone, include_tests=include_tests
        )
        return Response(stats)


class RunDetailApi(APIView):
    @extend_schema(responses=RunDetailOutput)
    def get(self, request, pk):
        return Response(RunDetailOutput(get_object_or_404(run_list().prefetch_related("node_runs"), pk=pk)).data)


class RunCancelApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=None, responses={200: RunOutput})
    def post(self, request, pk):
        return Response(RunOutput(run_cancel(run=get_object_or_404(run_list(), pk=pk))).data)


class RunRetryApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=RunRetryInput, responses={202: RunOutput})
    def post(self, request, pk):
        original = get_object_or_404(run_list(), pk=pk)
        from_failed = str(request.data.get("from_failed_node", "true")).lower() != "false" if isinstance(request.data, dict) else True
        run = run_enqueue(run_retry(run=original, user=request.user, from_failed_node=from_failed))
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class FlowRunApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=RunInput, responses={202: RunOutput})
    def post(self, request, pk):
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = run_create(
            flow=get_object_or_404(flow_list(), pk=pk),
            trigger="test" if data.validated_data["draft"] else "manual",
            items=data.validated_data.get("items"),
            user=request.user,
            draft=data.validated_data["draft"],
        )
        run_enqueue(run)
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


def _listen_output(request, flow, listen) -> dict:
    from apps.runs.webhooks import listen as listening

    url = request.build_absolute_uri(listening.test_path(flow))
    node = next((n for n in flow.draft.get("nodes", []) if n.get("id") == listen.node_id), {})
    return WebhookListenOutput(
        {
            "id": listen.pk,
            "node_id": listen.node_id,
            "status": listening.webhook_listen_status(listen),
            "test_url": url,
            "curl": listening.curl_example(url, node),
            "expires_at": listen.expires_at,
            "item": listen.item,
        }
    ).data


class WebhookListenApi(APIView):
    """Starts waiting for one test request at the flow's test address (see apps/runs/webhooks/listen.py)."""

    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(request=WebhookListenInput, responses={201: WebhookListenOutput})
    def post(self, request, pk):
        from apps.runs.webhooks.listen import webhook_listen_start

        data = WebhookListenInput(data=request.data)
        data.is_valid(raise_exception=True)
        flow = get_object_or_404(flow_list(), pk=pk)
        listen = webhook_listen_start(flow=flow, node_id=data.validated_data.get("node_id"), user=request.user)
        return Response(_listen_output(request, flow, listen), status=status.HTTP_201_CREATED)


class WebhookListenDetailApi(APIView):
    """Whether the test request arrived (then with it); DELETE stops waiting."""

    permission_classes = [role_required(Role.EDITOR)]

    @extend_schema(responses={200: WebhookListenOutput})
    def get(self, request, pk, listen_id):
        from apps.runs.models import WebhookListen

        flow = get_object_or_404(flow_list(), pk=pk)
        return Response(_listen_output(request, flow, get_object_or_404(WebhookListen.objects.filter(flow=flow), pk=listen_id)))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, listen_id):
        from apps.runs.webhooks.listen import webhook_listen_stop

        webhook_listen_stop(flow=get_object_or_404(flow_list(), pk=pk), listen_id=listen_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
