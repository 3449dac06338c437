"""Endpoints the flow editor needs besides the flow API: the live preview of an expression."""

from __future__ import annotations

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.flows import selectors
from apps.flows.engine.errors import ExpressionError, ExpressionSecurityError
from apps.flows.engine.expressions import MAX_EXPRESSION_LENGTH, build_scope, evaluate
from apps.runs.host import ProductHost

MAX_PREVIEW_ITEMS = 20


class ExpressionPreviewInput(serializers.Serializer):
    value = serializers.CharField(max_length=MAX_EXPRESSION_LENGTH, allow_blank=True, trim_whitespace=False)
    item = serializers.DictField(required=False, default=dict, help_text="The first input item of the node (`json`).")
    nodes = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField(), max_length=MAX_PREVIEW_ITEMS),
        required=False,
        default=dict,
        help_text='Last test output of earlier nodes by name (`nodes["Name"]`).',
    )


class ExpressionPreviewApi(APIView):
    """Evaluates a parameter value for one item in the same sandbox as runs; the editor shows the result or the error."""

    permission_classes = [role_required(Role.EDITOR)]

    def post(self, request, pk):
        flow = get_object_or_404(selectors.flow_list(), pk=pk)
        data = ExpressionPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        host = ProductHost(organization=connection.tenant)
        outputs = {
            name: {"json": items[0] if items else {}, "items": items, "outputs": {"main": items}} for name, items in values["nodes"].items()
        }
        scope = build_scope(
            item=values["item"],
            item_index=0,
            node_outputs=outputs,
            run={"id": None, "trigger": "test"},
            flow={"id": flow.pk, "name": flow.name},
            variables=host.variables,
            now=host.now(),
        )
        try:
            result = evaluate(values["value"], scope)
        except (ExpressionError, ExpressionSecurityError) as exc:
            return Response({"ok": False, "error": _("The expression has a problem: %(error)s") % {"error": exc.message}, "code": exc.code})
        return Response({"ok": True, "value": _jsonable(result)})


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)
