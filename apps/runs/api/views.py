from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import ApiToken
from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.flows.selectors import flow_list
from apps.runs.api.serializers import RunDetailOutput, RunInput, RunOutput
from apps.runs.forms import RunFilterForm
from apps.runs.selectors import DEFAULT_PERIOD, PERIODS, run_list, run_stats
from apps.runs.services.runs import run_cancel, run_create, run_enqueue, run_retry


class RealtimeTicketApi(APIView):
    """A one-use ticket for `/ws/?ticket=...`, valid for one minute, bound to the caller's session or API token."""

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
    def get(self, request):
        runs = run_list(**_valid(RunFilterForm(request.query_params)).filters())
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(RunOutput(page, many=True).data)


class RunStatsApi(APIView):
    """Runs over time, success rate, p50/p95 duration and top errors, for the organization or one flow."""

    def get(self, request):
        from apps.accounts.middleware import current_organization

        flow_id = request.query_params.get("flow") or None
        if flow_id is not None and not (flow_id.isdigit() and flow_list().filter(pk=int(flow_id)).exists()):
            raise NotFound(_("That flow does not exist in this organization."))
        period = request.query_params.get("period") or DEFAULT_PERIOD
        if period not in PERIODS:
            raise ValidationError({"period": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(PERIODS)}]})
        organization = current_organization(request)
        return Response(run_stats(flow_id=int(flow_id) if flow_id else None, period=period, time_zone=organization.time_zone))


class RunDetailApi(APIView):
    def get(self, request, pk):
        return Response(RunDetailOutput(get_object_or_404(run_list().prefetch_related("node_runs"), pk=pk)).data)


class RunCancelApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

    def post(self, request, pk):
        return Response(RunOutput(run_cancel(run=get_object_or_404(run_list(), pk=pk))).data)


class RunRetryApi(APIView):
    permission_classes = [role_required(Role.EDITOR)]

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
