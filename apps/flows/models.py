import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


def empty_graph() -> dict:
    return {"nodes": [], "edges": []}


class Flow(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    active = models.BooleanField(_("active"), default=False, help_text=_("Triggers run the published version only while active."))
    draft = models.JSONField(default=empty_graph)
    draft_revision = models.PositiveIntegerField(default=1)
    published_version = models.ForeignKey("flows.FlowVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    error_flow = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    save_history = models.BooleanField(_("save run history"), default=True)
    # Kept by the notifications app: enabled alert rules watch this flow, so even a successful run of a flow with
    # history off is recorded (the webhook path reads it in its one lookup statement).
    watched_by_alerts = models.BooleanField(default=False, editable=False)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, help_text=_("Empty: the organization's time zone."))
    # People live in the public schema; they are never deleted (only deactivated), so no database constraint.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Installed from the marketplace (public schema, referenced by id): the template, the version and its graph as
    # installed, which is the common base of the three-way diff when the template gets a newer version.
    origin_template_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    origin_version_id = models.BigIntegerField(null=True, blank=True)
    origin_graph = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return self.name


class FlowVersion(models.Model):
    """An immutable snapshot of a flow's graph."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField()
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="flowversion_unique_number")]

    def __str__(self):
        return f"{self.flow} v{self.number}"


class FlowSavedState(models.Model):
    """A flow's state kept between its production runs (n8n's `$getWorkflowStaticData`; apps/flows/engine/flow_state.py):
    one row per flow, changed under a row lock (apps.flows.services.flow_state)."""

    flow = models.OneToOneField(Flow, on_delete=models.CASCADE, primary_key=True, related_name="saved_state")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class Credential(models.Model):
    """Secrets for nodes, encrypted at rest; never returned by the API, never exported."""

    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=50)
    encrypted_data = models.TextField()
    # Connection state of kinds that sign in with the service (OAuth2); empty for kinds that have none.
    status = models.CharField(max_length=20, blank=True, default="")
    # The service's error code (e.g. invalid_grant) behind "needs reconnect"; never a secret.
    status_reason = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When a step that read the credential last succeeded; written at most once a minute (services.credentials).
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    class Status:
        NONE = ""
        NOT_CONNECTED = "not_connected"
        CONNECTED = "connected"
        NEEDS_RECONNECT = "needs_reconnect"

    def __str__(self):
        return self.name


class Variable(models.Model):
    """Organization-wide values that every flow can read in expressions as vars.<name>."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    value = models.TextField(_("value"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
