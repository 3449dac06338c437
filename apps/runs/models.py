import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def queued_lease_deadline():
    """When a new run, if still queued, is taken for lost by the broker and published again (its outbox relay:
    apps/runs/services/scheduler.py `requeue_stuck_runs`)."""
    return timezone.now() + dt.timedelta(seconds=settings.EZFLOW_RUN_QUEUED_LEASE_SECONDS)


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        WAITING = "waiting", _("Waiting")
        SUCCESS = "success", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Manual")
        WEBHOOK = "webhook", _("Webhook")
        SCHEDULE = "schedule", _("Schedule")
        ERROR = "error", _("Error trigger")
        RETRY = "retry", _("Retry")
        TEST = "test", _("Test")

    FINISHED = (Status.SUCCESS, Status.FAILED, Status.CANCELLED)

    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="runs")
    # #1, #2, ... per flow. Given by the database on every insert (trigger `runs_run_number`, migration 0010), so
    # every way of creating a run numbers it, concurrent runs of one flow get distinct numbers and a rolled-back
    # insert leaves no gap; RETURNING hands it to the saved instance.
    number = models.PositiveIntegerField(db_default=0, editable=False)
    version = models.ForeignKey("flows.FlowVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    graph = models.JSONField(help_text="The graph this run executes (a test run of a draft has no version).")
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    input_items = models.JSONField(default=list)
    pinned = models.JSONField(default=dict, blank=True)
    result_sample = models.JSONField(default=list, blank=True)
    response = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_detail = models.TextField(blank=True)
    # The engine's English template and values, so pages and the API can say the error in the reader's language.
    error_args = models.JSONField(default=dict, blank=True)
    error_node_id = models.CharField(max_length=100, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    resume_at = models.DateTimeField(null=True, blank=True, db_index=True)
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="The schedule tick this run belongs to.")
    resumed_nodes = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    restarts = models.PositiveSmallIntegerField(
        default=0, help_text="Times the run was started again after an attempt stopped without finishing (apps/runs/services/recovery.py)."
    )
    # The run row is the outbox of its broker message: a queued run not picked up by then, or a running run whose
    # worker stopped renewing it (apps/runs/lease.py), is published again by the maintenance task.
    lease_until = models.DateTimeField(null=True, blank=True, default=queued_lease_deadline)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0, help_text="Increases with every change; live clients detect gaps with it.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["flow", "-created_at"]),
            models.Index(fields=["status", "resume_at"]),
            # The maintenance pass looks at every organization's active runs every few seconds: one index probe each.
            models.Index(fields=["lease_until"], name="run_active_lease", condition=models.Q(status__in=["queued", "running"])),
        ]
        constraints = [
            # A second scheduler (or a retried tick) can never start the same tick twice.
            models.UniqueConstraint(
                fields=["flow", "scheduled_for"], name="run_unique_schedule_tick", condition=models.Q(scheduled_for__isnull=False)
            ),
            models.UniqueConstraint(fields=["flow", "number"], name="run_unique_number_per_flow"),
        ]

    def __str__(self):
        return f"run {self.pk} of {self.flow_id} ({self.status})"

    @property
    def error_text(self) -> str:
        """The error in the reader's language (the API's and the pages' `error`); `error` itself stays English."""
        from apps.flows.error_text import engine_error_text

        return engine_error_text(self.error, self.error_args)

    @property
    def is_test(self) -> bool:
        """A test from the editor (of the draft, with its pinned data): kept apart from production runs."""
        return self.trigger == Run.Trigger.TEST

    @property
    def duration_ms(self) -> int | None:
        if self.started_at and self.finished_at:
            return int((self.finished_at - self.started_at).total_seconds() * 1000)
        return None


class RunCounter(models.Model):
    """The last run number given in a flow; the insert trigger of runs_run increments it (a row lock until commit),
    so numbers never repeat, even after the newest runs were deleted."""

    flow = models.OneToOneField("flows.Flow", primary_key=True, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)


class NodeRun(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="node_runs")
    node_id = models.CharField(max_length=100)
    run_index = models.PositiveIntegerField(default=0)
    node_name = models.CharField(max_length=200, blank=True)
    node_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16)
    attempts = models.PositiveIntegerField(default=0)
    items_in = models.PositiveIntegerField(default=0)
    items_out = models.PositiveIntegerField(default=0)
    output_sample = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(null=True, blank=True, help_text="Full outputs, kept for resuming and retrying (null when too large).")
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_detail = models.TextField(blank=True)
    error_args = models.JSONField(default=dict, blank=True)  # as on Run
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["seq", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "node_id", "run_index"], name="noderun_unique_execution")]

    def __str__(self):
        return f"{self.node_id}#{self.run_index} ({self.status})"

    @property
    def error_text(self) -> str:
        """The error in the reader's language (the API's and the pages' `error`); `error` itself stays English."""
        from apps.flows.error_text import engine_error_text

        return engine_error_text(self.error, self.error_args)


class RunTally(models.Model):
    """Successful runs that were not stored (history switched off), counted per flow and hour: monitoring still
    counts them. Written in batches by apps/runs/services/tally.py."""

    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    successes = models.PositiveIntegerField(default=0)
    duration_ms_total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "hour"], name="runtally_unique_flow_hour")]

    def __str__(self):
        return f"flow {self.flow_id} at {self.hour:%Y-%m-%d %H}:00: {self.successes}"


class WebhookListen(models.Model):
    """The editor waits for one test request at /webhook-test/<token> (apps/runs/webhooks/listen.py): the request
    is captured as the item a production run would receive, for the editor to pin as the webhook step's test data.
    A row lives a few minutes; the database holds it because the request may reach any web process."""

    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="+")
    node_id = models.CharField(max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    captured_at = models.DateTimeField(null=True, blank=True)
    item = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["flow", "expires_at"], name="webhooklisten_flow_expiry")]

    def __str__(self):
        return f"listen for flow {self.flow_id} until {self.expires_at:%H:%M:%S}"


class WebhookEvent(models.Model):
    """An event a webhook trigger named (`StartRun.event_key`, apps.flows.triggers.inbound) and the run it started:
    written with the run in one transaction, so a provider that delivers the same event again (Toss retries until it
    hears 200) never starts the flow twice."""

    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    run_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "key"], name="webhookevent_flow_key")]

    def __str__(self):
        return f"event {self.key} of flow {self.flow_id}"
