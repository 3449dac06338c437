"""Celery worker bootstep: a periodic heartbeat row, so that /healthz can tell whether runs would execute."""

import logging

from celery import bootsteps

logger = logging.getLogger(__name__)


def record_heartbeat(hostname: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.core.models import WorkerHeartbeat

    connection.set_schema_to_public()
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"last_seen": timezone.now()})


class HeartbeatStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        self._beat(worker)
        self.timer_ref = worker.timer.call_repeatedly(settings.EZFLOW_WORKER_HEARTBEAT_SECONDS, self._beat, (worker,), priority=10)

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()

    def _beat(self, worker):
        try:
            record_heartbeat(worker.hostname)
        except Exception:  # a lost database must not kill the worker; /healthz shows the stale beat
            logger.exception("worker heartbeat failed")
