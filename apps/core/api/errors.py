"""One error format for the whole REST API:

{"error": {"code": "...", "message": "...", "fields": {"field": [{"code": "...", "message": "..."}]}}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import DomainError


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"error": {"code": code, "message": str(message)}}
    if fields:
        body["error"]["fields"] = fields
    return body


def _fields_from_detail(detail) -> dict:
    if isinstance(detail, dict):
        fields = {}
        for name, value in detail.items():
            items = value if isinstance(value, list) else [value]
            flat = []
            for item in items:
                if isinstance(item, dict):
                    flat.append({"code": "invalid", "message": str(item)})
                else:
                    flat.append({"code": getattr(item, "code", "invalid"), "message": str(item)})
            fields[name] = flat
        return fields
    return {"non_field_errors": [{"code": getattr(d, "code", "invalid"), "message": str(d)} for d in detail]}


def django_validation_fields(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            field: [{"code": e.code or "invalid", "message": m} for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [{"code": exc.code or "invalid", "message": m} for m in exc.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(
            error_body("invalid", _("Some of the values are not valid."), django_validation_fields(exc)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DomainError):
        fields = {exc.field: [{"code": exc.code, "message": str(exc.message)}]} if exc.field else None
        body = error_body(exc.code, exc.message, fields)
        body["error"].update(exc.extra)
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("Some of the values are not valid."), _fields_from_detail(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = exc.get_codes() if not isinstance(detail, (list, dict)) else exc.default_code
        response.data = error_body(
            code if isinstance(code, str) else exc.default_code, detail if isinstance(detail, str) else exc.default_detail
        )
    return response
