"""Stored bytes of items. Each organization's schema has its own table, so a file id of another organization is
simply not found; the bytes live under a key that starts with the schema (apps/files/storage.py)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=255)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=500, unique=True)
    # Plain ids, no foreign keys: files sits under flows and runs (docs/architecture.md); the runs app deletes a
    # run's files when it prunes the run (apps.files.services.files_delete_for_runs).
    run_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    flow_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Files no run keeps (a step test in the editor, a listened webhook call) are deleted at this time.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["created_at"]

    def __str__(self):
        return self.name

    def as_ref(self) -> dict:
        return {"$file": str(self.id), "name": self.name, "mime_type": self.mime_type, "size": self.size}
