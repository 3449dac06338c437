from django.db import models


class WorkerHeartbeat(models.Model):
    """Each run worker writes its heartbeat here; /healthz reports whether one is alive."""

    hostname = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()


class PlatformState(models.Model):
    """Small facts about the deployment, e.g. which tenant migrations every organization schema has."""

    key = models.CharField(max_length=100, unique=True)
    value = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
