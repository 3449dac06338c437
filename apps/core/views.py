from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from apps.core.paths import is_api_path


def _error(request, status, code, message, template):
    if is_api_path(request.path):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(request, template, {"message": message}, status=status)


def not_found(request, exception=None):
    return _error(request, 404, "not_found", _("We could not find this page."), "errors/404.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "permission_denied", _("You do not have access to this page."), "errors/403.html")


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = _("What was sent is larger than the limit of %(size)s. Send less at once.") % {"size": size}
        return _error(request, 413, "too_large", message, "errors/400.html")
    if isinstance(exception, TooManyFieldsSent):
        message = _("The form has more fields than allowed (%(max)s).") % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        return _error(request, 400, "too_many_fields", message, "errors/400.html")
    return _error(request, 400, "bad_request", _("The request could not be understood."), "errors/400.html")


def nul_character(request):
    message = _("The text contains an invisible NUL character. Remove it and try again.")
    return _error(request, 400, "invalid_text", message, "errors/400.html")


def server_error(request):
    return _error(request, 500, "server_error", _("Something went wrong on our side. Please try again in a moment."), "errors/500.html")


def csrf_failure(request, reason=""):
    return _error(request, 403, "csrf_failed", _("Your form expired. Please go back, reload the page and try again."), "errors/403.html")
