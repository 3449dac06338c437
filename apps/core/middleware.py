from django.http import JsonResponse

from apps.core.health import health_report
from apps.core.metrics import RequestTimer, metrics_response


class HealthCheckBypassMiddleware:
    """Answers /healthz and /metrics before tenant resolution (probes and scrapers may use any host name or IP),
    and times every request for the latency histogram."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            report = health_report()
            return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
        if request.path == "/metrics":
            return metrics_response(request)
        timer = RequestTimer()
        response = self.get_response(request)
        timer.observe(request.method, response.status_code)
        return response


class NulCharacterMiddleware:
    """Refuses a NUL character in the path, the query string, cookies or a form's fields with a clear 400.

    PostgreSQL can neither store nor compare text holding NUL, so `?search=%00` would otherwise be a server error in
    whichever query used it. JSON bodies are checked by their parser (apps/core/jsonbody.py); multipart forms are
    left to their views, because reading them here would consume the body a webhook needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    # GraphQL checks NUL itself and must answer in GraphQL's own error format.
    own_check = ("/graphql/",)

    def __call__(self, request):
        if not request.path.startswith(self.own_check) and _holds_nul(request):
            from apps.core.views import nul_character

            return nul_character(request)
        return self.get_response(request)


def _holds_nul(request) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in request.path or "%00" in query or "\x00" in query:
        return True
    if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
        return True
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        return any("\x00" in name or any("\x00" in value for value in values) for name, values in request.POST.lists())
    return False
