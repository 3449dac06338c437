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


class AiModule(models.Model):
    """A model the organization brought: an ONNX file run here (in a limited process) or a model server it calls.
    Each upload adds a version; steps use the active one, and may send a share of items to a candidate version
    while both answers are recorded for comparison (AiModuleComparison)."""

    class Kind(models.TextChoices):
        ONNX = "onnx", _("ONNX model")
        HTTP = "http", _("Model server (HTTP)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    summary = models.TextField(_("description"), blank=True, max_length=2000)
    active_version = models.PositiveIntegerField(_("active version"), null=True)
    candidate_version = models.PositiveIntegerField(_("candidate version"), null=True, blank=True)
    # Percent of items (0-100) that go to the candidate version; each of them is also run on the active version.
    candidate_share = models.PositiveSmallIntegerField(_("share of items for the candidate (%)"), default=0)
    license = models.CharField(_("license"), max_length=100, blank=True)
    # Where it came from when installed from the marketplace ("marketplace:<id>"); empty when uploaded here.
    source = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("AI module")
        verbose_name_plural = _("AI modules")
        ordering = ["name"]


class AiModuleVersion(models.Model):
    module = models.ForeignKey(AiModule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # The description as checked against the model (apps/ai/modules/describe.py) and what the model declares.
    spec = models.JSONField(default=dict)
    signature = models.JSONField(default=dict)
    # ONNX: the file (at most EZFLOW_AI_MODULE_MAX_BYTES); HTTP: empty, and `endpoint` says where the server is.
    model = models.BinaryField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    endpoint = models.JSONField(default=dict, blank=True)
    example = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("AI module version")
        verbose_name_plural = _("AI module versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["module", "number"], name="ai_aimoduleversion_module_number")]


class AiModuleComparison(models.Model):
    """One item run on both the active and the candidate version: what each answered and how long it took."""

    module = models.ForeignKey(AiModule, on_delete=models.CASCADE, related_name="comparisons")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    active_version = models.PositiveIntegerField()
    candidate_version = models.PositiveIntegerField()
    active_result = models.JSONField(null=True)
    candidate_result = models.JSONField(null=True)
    active_ms = models.FloatField(null=True)
    candidate_ms = models.FloatField(null=True)
    agree = models.BooleanField(null=True)
    error = models.CharField(max_length=500, blank=True)
    flow_id = models.BigIntegerField(null=True)
    run_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("AI module comparison")
        verbose_name_plural = _("AI module comparisons")
        indexes = [models.Index(fields=["module", "candidate_version", "-created_at"], name="ai_modcmp_module_cand")]
