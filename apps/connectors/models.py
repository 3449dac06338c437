"""Connectors an organization brought in itself: an OpenAPI/Swagger document imported as a connector, one row per
import (version) with the document kept as sent and the operations read from it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiConnector(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiConnectorVersion(models.Model):
    connector = models.ForeignKey(ApiConnector, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    spec_text = models.TextField(help_text="The document as imported (JSON or YAML).")
    source_url = models.URLField(max_length=2000, blank=True)
    spec_version = models.CharField(max_length=40)  # "OpenAPI 3.1.0", "Swagger 2.0"
    title = models.CharField(max_length=200, blank=True)
    api_version = models.CharField(max_length=100, blank=True)
    servers = models.JSONField(default=list)
    security_schemes = models.JSONField(default=dict)
    operations = models.JSONField(default=list)
    skipped = models.JSONField(default=list)
    # Against the version before: {"added": [ids], "removed": [ids], "changed": [{id, ...}]}; empty for the first.
    diff = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["connector_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["connector", "number"], name="connectors_api_version_unique_number")]

    def __str__(self):
        return f"{self.connector_id} v{self.number}"

    def operation(self, operation_id: str) -> dict | None:
        return next((op for op in self.operations if op.get("id") == operation_id), None)


class FormSubmission(models.Model):
    """One accepted submission of a flow's hosted form: counts submissions per visitor and per form for the rate
    limits, and names the run it started. The visitor's address is kept only as a salted hash."""

    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="+")
    run_id = models.BigIntegerField(null=True)
    visitor = models.CharField(max_length=64, help_text="HMAC of the visitor's IP address.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["flow", "visitor", "-created_at"], name="connectors_form_visitor")]
