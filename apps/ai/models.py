from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AiUsage(models.Model):
    """One row per execution of an AI step (all its items and model calls together): cheap to write, summed for
    the run page, monitoring and the monthly budget. Flow and run are plain ids: usage outlives deleted flows."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    flow_id = models.BigIntegerField(null=True, db_index=True)
    run_id = models.BigIntegerField(null=True, db_index=True)
    node_id = models.CharField(max_length=100, blank=True)
    provider = models.CharField(max_length=50)
    model = models.CharField(max_length=200, blank=True)
    calls = models.PositiveIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    # Estimated from settings.EZFLOW_AI_PRICES (US dollars); null when the model has no price there.
    cost_usd = models.DecimalField(max_digits=14, decimal_places=6, null=True)

    class Meta:
        verbose_name = _("AI usage")
        verbose_name_plural = _("AI usage")


class AiSettings(models.Model):
    """The organization's AI settings: one row (pk 1) in its schema."""

    monthly_budget_usd = models.DecimalField(
        _("monthly AI budget (US dollars)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Once the estimated cost of this calendar month reaches it, AI steps fail until the next month. Empty: no limit."),
    )

    class Meta:
        verbose_name = _("AI settings")
        verbose_name_plural = _("AI settings")


class TextClassifier(models.Model):
    """A text classifier the organization trained from its own examples (apps/ai/offline/classifiers.py). Each training
    under the same name adds a version; steps use the newest or a chosen one."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    labels = models.JSONField(default=list)
    # numpy .npz bytes: hashed feature weights per label (float16) and biases; a few hundred kilobytes.
    weights = models.BinaryField()
    examples = models.PositiveIntegerField(default=0)
    # Share of held-out examples (a fifth, when there are enough) the model labelled right; null with too few.
    accuracy = models.FloatField(null=True)
    flow_id = models.BigIntegerField(null=True)
    run_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("text classifier")
        verbose_name_plural = _("text classifiers")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="ai_textclassifier_name_version")]
