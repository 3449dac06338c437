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


class ScheduleEntry(models.Model):
    """Every active scheduled flow of every organization, so one scheduler finds due ones with one query."""

    schema_name = models.CharField(max_length=63)
    flow_id = models.BigIntegerField()
    version_id = models.BigIntegerField()
    cron = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64)
    next_fire_at = models.DateTimeField(db_index=True)
    last_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schema_name", "flow_id"], name="schedule_unique_flow")]


class Wakeup(models.Model):
    """A run parked by a Wait node, to be resumed at `resume_at` by the scheduler."""

    schema_name = models.CharField(max_length=63)
    run_id = models.BigIntegerField()
    resume_at = models.DateTimeField(db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schema_name", "run_id"], name="wakeup_unique_run")]


class PollEntry(models.Model):
    """Every active flow that starts from a polling trigger ("a new feed entry"), with what that trigger has seen: one
    poller finds due ones with one query, and the state moves forward in the transaction that saves the run."""

    schema_name = models.CharField(max_length=63)
    flow_id = models.BigIntegerField()
    version_id = models.BigIntegerField()
    node_id = models.CharField(max_length=100)
    interval_seconds = models.PositiveIntegerField()
    next_poll_at = models.DateTimeField(db_index=True)
    state = models.JSONField(default=dict, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schema_name", "flow_id"], name="poll_unique_flow")]


class ListenerEntry(models.Model):
    """Every active flow that starts from a listening trigger (an MQTT subscription): the workers' supervisors keep
    one open connection per row, across all workers (apps/runs/listeners.py)."""

    schema_name = models.CharField(max_length=63)
    flow_id = models.BigIntegerField()
    version_id = models.BigIntegerField()
    node_id = models.CharField(max_length=100)
    # A hash of the trigger's type and parameters: a subscriber whose trigger changed is replaced.
    fingerprint = models.CharField(max_length=64)
    connected_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schema_name", "flow_id"], name="listener_unique_flow")]
