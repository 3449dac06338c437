from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.runs.api.serializers import RunDetailOutput, RunOutput
from apps.runs.selectors import run_list
from apps.runs.services.runs import run_cancel, run_enqueue, run_retry


class RealtimeTicketApi(APIView):
    """A ticket for `/ws/?ticket=...`, valid for one minute, for API clients without a browser session."""

    def post(self, request):
        from apps.accounts.middleware import current_organization
        from apps.runs.realtime.auth import TICKET_MAX_AGE, ticket_for

        ticket = ticket_for(user=request.user, organization=current_organization(request))
        return Response({"ticket": ticket, "path": f"/ws/?ticket={ticket}", "expires_in": TICKET_MAX_AGE}, status=status.HTTP_201_CREATED)


class RunListApi(APIView):
    def get(self, request):
        runs = run_list(
            flow_id=request.query_params.get("flow"), status=request.query_params.get("status"), trigger=request.query_params.get("trigger")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(RunOutput(page, many=True).data)


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
