from django.http import JsonResponse

from apps.core.health import health_report


class HealthCheckBypassMiddleware:
    """Answers /healthz before tenant resolution, so load balancers may probe any host name or IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            report = health_report()
            return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
        return self.get_response(request)
