"""Endpoints the flow editor needs besides the flow API: the live preview of an expression."""

from __future__ import annotations

import re

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import role_required
from apps.accounts.roles import Role
from apps.flows import selectors
from apps.flows.engine.errors import ExpressionError, ExpressionSecurityError
from apps.flows.engine.expressions import MAX_EXPRESSION_LENGTH, build_scope, evaluate
from apps.flows.engine.jsonsafe import UnstorableOutput, json_safe
from apps.flows.error_text import engine_error_text
from apps.flows.host import FlowHost

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

    @extend_schema(
        request=ExpressionPreviewInput,
        responses={
            200: inline_serializer(
                "ExpressionPreviewOutput",
                {
                    "ok": serializers.BooleanField(),
                    "value": serializers.JSONField(required=False, help_text="The result, when ok."),
                    "error": serializers.CharField(required=False, help_text="What is wrong, when not ok."),
                    "code": serializers.CharField(required=False),
                },
            )
        },
    )
    def post(self, request, pk):
        flow = get_object_or_404(selectors.flow_list(), pk=pk)
        data = ExpressionPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        host = FlowHost(organization=connection.tenant)
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
            # As a step would store it: the preview shows what the run will save, or the step's error.
            result = json_safe(evaluate(values["value"], scope))
        except (ExpressionError, ExpressionSecurityError, UnstorableOutput) as exc:
            return Response({"ok": False, "error": expression_message(exc), "code": exc.code})
        return Response({"ok": True, "value": result})


_UNDEFINED_NAME = re.compile(r"'([^']{1,100})' is undefined|Unknown name “([^”]{1,100})”")
_MISSING_FIELD = re.compile(r"has no attribute '([^']{1,100})'")


def expression_message(exc: ExpressionError | UnstorableOutput) -> str:
    """The engine's error in words for the person typing (in their language), without Python names in it."""
    if exc.code == "undefined":
        if found := _UNDEFINED_NAME.search(exc.message):
            name = found.group(1) or found.group(2)
            return _("“%(name)s” is not known here. Start with json, nodes, vars, run, flow or now().") % {"name": name}
        if found := _MISSING_FIELD.search(exc.message):
            return _("There is no field “%(name)s” here. Type {{ to pick one from the list.") % {"name": found.group(1)}
        return _("A name or field in the expression is not known. Type {{ to pick one from the list.")
    messages = {
        "syntax_error": _("The expression is not written correctly. Check the {{ }}, brackets and quotes."),
        "failed": _("The expression could not be worked out for this item (for example a division by zero, or text used as a number)."),
        "bad_date": _("A date in the expression is not a date like 2026-01-31."),
        "bad_json": _("A text in the expression is not valid JSON."),
        "forbidden": _("The expression uses something that is not allowed in EZFlow expressions."),
        "too_large": _("The result of the expression would be too large."),
        "too_deep": _("The expression goes too deep (it repeats itself too often)."),
    }
    return messages.get(exc.code) or _("The expression has a problem: %(error)s") % {
        "error": engine_error_text(exc.message, exc.translatable)
    }
