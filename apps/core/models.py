from django.db import models


class WorkerHeartbeat(models.Model):
    """Each run worker writes its heartbeat here; /healthz reports whether one is alive."""

    hostname = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()
