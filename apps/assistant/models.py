from django.conf import settings
from django.db import models


class DraftRequest(models.Model):
    """One answered draft request (rows counted for the organization's rate limit; the schema is the organization)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    engine = models.CharField(max_length=20, default="offline")
    valid = models.BooleanField(default=True)
    milliseconds = models.PositiveIntegerField(default=0)
