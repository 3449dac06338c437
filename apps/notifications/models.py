"""Alert rules per flow, the groups that collect repeated alerts for one cause, and notifications per person."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertRule(models.Model):
    class Kind(models.TextChoices):
        FAILURE = "failure", _("Every failure")
        CONSECUTIVE = "consecutive", _("Several failures in a row")
        DURATION = "duration", _("A run takes too long")

    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="alert_rules")
    kind = models.CharField(_("when"), max_length=16, choices=Kind.choices, default=Kind.FAILURE)
    threshold = models.PositiveIntegerField(_("failures in a row"), default=3, help_text=_("For “several failures in a row”."))
    duration_seconds = models.PositiveIntegerField(_("longer than (seconds)"), default=300, help_text=_("For “a run takes too long”."))
    in_app = models.BooleanField(_("in the app (bell)"), default=True)
    email = models.BooleanField(_("by email"), default=True)
    slack_webhook = models.TextField(blank=True, help_text="The Slack incoming webhook address, encrypted; never returned.")
    slack_hint = models.CharField(max_length=80, blank=True, help_text="A masked form of the address for display.")
    # Empty: the organization's owners and admins, and the person who created the flow.
    recipient_ids = ArrayField(models.IntegerField(), default=list, blank=True)
    deactivate_after = models.PositiveIntegerField(
        _("switch the flow off after this many failures in a row"), null=True, blank=True, help_text=_("Empty: never.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.flow_id}"


class AlertGroup(models.Model):
    """Alerts of one rule with the same cause; external messages for a group go out at most once per window."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(max_length=16)
    fingerprint = models.CharField(max_length=64)
    error_node_id = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    last_run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unsent = models.PositiveIntegerField(default=0, help_text="Alerts since the last email or Slack message.")
    closed = models.BooleanField(default=False)
    delivery = models.JSONField(default=dict, blank=True, help_text="The last email and Slack delivery results.")

    class Meta:
        indexes = [models.Index(fields=["rule", "fingerprint", "-last_seen"]), models.Index(fields=["unsent", "last_sent_at"])]


class AlertedRun(models.Model):
    """A run already reported as too long by a rule (while running or when it finished): once per run."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey("runs.Run", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "run"], name="alertedrun_unique_rule_run")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        FAILURE = "failure", _("Failure")
        CONSECUTIVE = "consecutive", _("Failures in a row")
        DURATION = "duration", _("Long run")
        DEACTIVATED = "deactivated", _("Flow switched off")
        CREDENTIAL = "credential", _("Connection needs reconnecting")

    # People live in the public schema and are never deleted, so no database constraint.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    group = models.ForeignKey(AlertGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    flow = models.ForeignKey("flows.Flow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    flow_name = models.CharField(max_length=200)
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error_node_id = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    count = models.PositiveIntegerField(default=1)
    details = models.JSONField(default=dict, blank=True, help_text="Numbers for the message: threshold, seconds.")
    delivery = models.JSONField(default=dict, blank=True, help_text="Email and Slack delivery results.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["user", "-updated_at"]), models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.kind} for {self.user_id}"
