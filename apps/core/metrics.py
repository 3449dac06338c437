"""Prometheus metrics, platform-wide. Web and worker processes write to a shared folder (PROMETHEUS_MULTIPROC_DIR)
so that one scrape of any web process sees the whole machine."""

from __future__ import annotations

import hmac
import os
import time
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

RUNS_STARTED = Counter("ezflow_runs_started", "Runs that started executing", ["trigger"])
RUNS_FINISHED = Counter("ezflow_runs_finished", "Runs that finished", ["status"])
NODE_DURATION = Histogram(
    "ezflow_node_duration_seconds", "Time nodes took", ["node_type"], buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120)
)
HTTP_LATENCY = Histogram(
    "ezflow_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
WEBSOCKETS = Gauge("ezflow_websocket_connections", "Open WebSocket connections", multiprocess_mode="livesum")


class QueueDepthCollector:
    """Messages waiting in the run queue, read from the broker at scrape time."""

    def collect(self):
        family = GaugeMetricFamily("ezflow_queue_depth", "Tasks waiting in the default queue")
        family.add_metric([], float(_queue_depth()))
        yield family


def _queue_depth() -> int:
    try:
        if settings.REDIS_URL:
            import redis

            return int(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).llen("default"))
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return sum(1 for path in folder.iterdir() if path.name.endswith(".msg") and "default" in path.name)
    except Exception:  # the metric is informative; an unreachable broker must not break the scrape
        return -1


def metrics_response(request) -> HttpResponse:
    token = settings.EZFLOW_METRICS_TOKEN
    if not token:
        return JsonResponse({"error": {"code": "not_found", "message": "Metrics are switched off."}}, status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"error": {"code": "unauthorized", "message": "A valid metrics token is required."}}, status=401)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (RUNS_STARTED, RUNS_FINISHED, NODE_DURATION, HTTP_LATENCY, WEBSOCKETS):
            registry.register(collector)
    registry.register(QueueDepthCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class RequestTimer:
    def __init__(self):
        self.started = time.perf_counter()

    def observe(self, method: str, status: int) -> None:
        HTTP_LATENCY.labels(method, f"{status // 100}xx").observe(time.perf_counter() - self.started)
