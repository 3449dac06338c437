from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.core.api.schema import paginated
from apps.flows import selectors as flow_selectors
from apps.notifications import selectors
from apps.notifications.api import serializers as s
from apps.notifications.services import notifications as notification_services
from apps.notifications.services import rules as rule_services

EditorsWrite = role_required(Role.EDITOR, safe_methods_for_members=True)

CREATE_DEFAULTS = {
    "kind": "failure",
    "threshold": 3,
    "duration_seconds": 300,
    "in_app": True,
    "email": True,
    "recipient_ids": [],
    "deactivate_after": None,
    "enabled": True,
}


class NotificationListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("unread", str, enum=["true", "false"]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="Up to 100."),
        ],
        responses=paginated("PaginatedNotificationList", s.NotificationOutput(many=True), unread=serializers.IntegerField()),
    )
    def get(self, request):
        notifications = selectors.notification_list(user=request.user, unread_only=request.query_params.get("unread") == "true")
        paginator = PageNumberPagination()
        paginator.page_size, paginator.page_size_query_param, paginator.max_page_size = 20, "page_size", 100
        page = paginator.paginate_queryset(notifications, request, view=self)
        response = paginator.get_paginated_response(s.NotificationOutput(page, many=True).data)
        response.data["unread"] = selectors.notification_unread_count(user=request.user)
        return response


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=s.NotificationOutput)
    def post(self, request, pk):
        notification = notification_services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(s.NotificationOutput(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}),
    )
    def post(self, request):
        changed = notification_services.notification_mark_all_read(user=request.user)
        return Response({"marked": changed, "unread": 0})


def _flow(pk):
    return get_object_or_404(flow_selectors.flow_list(), pk=pk)


class AlertRuleListApi(APIView):
    permission_classes = [EditorsWrite]

    @extend_schema(responses=s.AlertRuleOutput(many=True))
    def get(self, request, flow_pk):
        return Response(s.AlertRuleOutput(selectors.alert_rule_list(flow=_flow(flow_pk)), many=True).data)

    @extend_schema(request=s.AlertRuleInput, responses={201: s.AlertRuleOutput})
    def post(self, request, flow_pk):
        flow = _flow(flow_pk)
        data = s.AlertRuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = rule_services.alert_rule_create(flow=flow, user=request.user, **{**CREATE_DEFAULTS, **data.changes()})
        return Response(s.AlertRuleOutput(rule).data, status=status.HTTP_201_CREATED)


class AlertRuleDetailApi(APIView):
    permission_classes = [EditorsWrite]

    def _rule(self, flow_pk, pk):
        return get_object_or_404(selectors.alert_rule_list(flow=_flow(flow_pk)), pk=pk)

    @extend_schema(responses=s.AlertRuleOutput)
    def get(self, request, flow_pk, pk):
        return Response(s.AlertRuleOutput(self._rule(flow_pk, pk)).data)

    @extend_schema(request=s.AlertRuleInput, responses=s.AlertRuleOutput)
    def patch(self, request, flow_pk, pk):
        rule = self._rule(flow_pk, pk)
        data = s.AlertRuleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(s.AlertRuleOutput(rule_services.alert_rule_update(rule=rule, **data.changes())).data)

    @extend_schema(responses={204: None})
    def delete(self, request, flow_pk, pk):
        rule_services.alert_rule_delete(rule=self._rule(flow_pk, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
