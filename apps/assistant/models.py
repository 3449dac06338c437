from django.conf import settings
from django.db import models


class DraftRequest(models.Model):
    """One answered draft request (rows counted for the organization's rate limit; the schema is the organization)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    engine = models.CharField(max_length=20, default="offline")
    valid = models.BooleanField(default=True)
    milliseconds = models.PositiveIntegerField(default=0)


class Conversation(models.Model):
    """One person's talk with the assistant about one flow (the editor's panel shows it again after a reload)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    flow = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "flow"], name="assistant_conversation_user_flow")]


class Turn(models.Model):
    """A request and the assistant's proposal: the flow it was asked about, the flow it proposes, and what the person
    did with it (the graph before is what "Undo this change" puts back)."""

    class State(models.TextChoices):
        PROPOSED = "proposed"
        APPLIED = "applied"
        DISCARDED = "discarded"
        UNDONE = "undone"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    created_at = models.DateTimeField(auto_now_add=True)
    prompt = models.TextField()
    message = models.TextField(blank=True)
    notice = models.TextField(blank=True)
    engine = models.CharField(max_length=20, default="offline")
    graph_before = models.JSONField(null=True)
    graph = models.JSONField()
    changes = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)

    class Meta:
        ordering = ["id"]
