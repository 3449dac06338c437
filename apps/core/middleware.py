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
