"""The community template marketplace (public schema): templates, immutable versions, ratings, comments, installs.

Organizations' flows (tenant schemas) point back here by id only (Flow.origin_template_id / origin_version_id):
public rows are never hard-deleted, so those ids stay meaningful.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    SALES = "sales", _("Sales and CRM")
    MARKETING = "marketing", _("Marketing")
    SUPPORT = "support", _("Customer support")
    HR = "hr", _("HR and people")
    FINANCE = "finance", _("Finance and accounting")
    OPERATIONS = "operations", _("Operations")
    IT = "it", _("IT and development")
    PRODUCTIVITY = "productivity", _("Productivity")
    DATA = "data", _("Data and reports")
    OTHER = "other", _("Other")


class License(models.TextChoices):
    CC0 = "cc0", _("Public domain (CC0)")
    CC_BY = "cc-by", _("Attribution (CC BY 4.0)")
    MIT = "mit", _("MIT")
    APACHE = "apache-2.0", _("Apache 2.0")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: listed for everyone")
    UNLISTED = "unlisted", _("Unlisted: anyone with the link")
    ORGANIZATION = "organization", _("Only my organization")


class Language(models.TextChoices):
    KO = "ko", _("Korean")
    EN = "en", _("English")


class Template(models.Model):
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description (Markdown)"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True, verbose_name=_("tags"))
    icon = models.CharField(_("icon"), max_length=40, blank=True, default="box")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.KO)
    license = models.CharField(_("license"), max_length=20, choices=License.choices, default=License.CC_BY)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    author_organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="templates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="templates")
    # "Forked from ...": set when an installed template (a fork) is published back as its own template.
    forked_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="forks")
    forked_from_version = models.ForeignKey(
        "marketplace.TemplateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The newest version that is not yanked (denormalised for listing without a subquery).
    latest_version = models.ForeignKey("marketplace.TemplateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Node types of the latest version, for filtering ("uses Slack").
    node_types = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    # Platform moderators can hide a template from every listing (never deleted: forks keep their origin).
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)
    # Counters, kept by services.
    install_count = models.PositiveIntegerField(default=0)
    fork_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    rating_average = models.FloatField(default=0.0)
    comment_count = models.PositiveIntegerField(default=0)
    # Installs in the last 7 days, refreshed on install and by template_trending_refresh().
    trending_score = models.FloatField(default=0.0)
    # Title, summary, tags, category label and description as one lower-cased text: trigram (Korean substrings)
    # and full-text (English words) search run over it.
    search_text = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["-created_at"]
        indexes = [
            GinIndex(fields=["search_text"], name="template_search_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["search_vector"], name="template_search_fts"),
            GinIndex(fields=["tags"], name="template_tags"),
            GinIndex(fields=["node_types"], name="template_node_types"),
            models.Index(fields=["-install_count", "-id"], name="template_popular", condition=Q(visibility="public", is_hidden=False)),
            models.Index(fields=["-rating_average", "-id"], name="template_top_rated", condition=Q(visibility="public", is_hidden=False)),
            models.Index(fields=["-created_at", "-id"], name="template_newest", condition=Q(visibility="public", is_hidden=False)),
            models.Index(fields=["-trending_score", "-id"], name="template_trending", condition=Q(visibility="public", is_hidden=False)),
        ]

    def __str__(self):
        return self.title


class TemplateVersion(models.Model):
    """An immutable, published snapshot. Yanked versions are hidden from new installs but kept for existing forks."""

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=32)
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    patch = models.PositiveIntegerField()
    changelog = models.TextField(_("changelog"), blank=True)
    graph = models.JSONField()  # without credentials, secrets or pinned data (see services.publishing)
    # Items the flow's trigger receives in a test right after installing (pinned on the trigger): a webhook template's
    # sample request, so an installed template tests without anyone typing JSON. Written by its author, not run data.
    sample_input = models.JSONField(default=list, blank=True)
    credential_types = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    node_types = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    yanked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    yanked_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    IMMUTABLE_FIELDS = (
        "template_id",
        "version",
        "major",
        "minor",
        "patch",
        "changelog",
        "graph",
        "sample_input",
        "credential_types",
        "node_types",
    )

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["-major", "-minor", "-patch"]
        constraints = [models.UniqueConstraint(fields=["template", "version"], name="templateversion_unique_version")]
        indexes = [models.Index(fields=["template", "-major", "-minor", "-patch"], name="templateversion_order")]

    def __str__(self):
        return f"{self.template_id} v{self.version}"

    @property
    def is_yanked(self) -> bool:
        return self.yanked_at is not None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)


class Rating(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="template_ratings")
    stars = models.PositiveSmallIntegerField(_("stars"))
    review = models.TextField(_("review"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["template", "user"], name="rating_one_per_person"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"),
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="rating_by_user_recent")]


class Comment(models.Model):
    """Threaded one level: a reply's parent is always a top-level comment."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="template_comments")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)  # deleted by its author: shown as "deleted"
    moderated_at = models.DateTimeField(null=True, blank=True)  # hidden by a moderator (soft)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderation_reason = models.CharField(max_length=300, blank=True)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["template", "created_at"], name="comment_by_template"),
            models.Index(fields=["author", "-created_at"], name="comment_by_author_recent"),
        ]

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None or self.moderated_at is not None


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        SECRET = "secret", _("Contains private data or secrets")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, default=Reason.OTHER)
    details = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="commentreport_once_per_person")]


class TemplateInstall(models.Model):
    """One "Use this template": which organization installed which version as which of its flows (tenant id)."""

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="installs")
    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="installs")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="template_installs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    flow_id = models.BigIntegerField()  # apps.flows.Flow in the organization's schema
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["template", "-created_at"], name="install_by_template_recent"),
            models.Index(fields=["organization", "flow_id"], name="install_by_flow"),
        ]


class SharedModule(models.Model):
    """An AI module (apps/ai/modules) an organization shared: one version of it, copied here in the public schema
    with its description, inputs and outputs, example and licence, and the ONNX file (never a credential; a model
    server's address is shared as it is). Installing copies it into the installing organization."""

    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("description"), max_length=2000)
    license = models.CharField(_("license"), max_length=100)
    author_organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="shared_modules")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    module_name = models.CharField(max_length=100)
    module_version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)
    spec = models.JSONField(default=dict)
    signature = models.JSONField(default=dict)
    endpoint = models.JSONField(default=dict, blank=True)
    example = models.JSONField(default=dict, blank=True)
    model = models.BinaryField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    install_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shared AI module")
        verbose_name_plural = _("shared AI modules")
        ordering = ["-created_at"]


class SharedModuleInstall(models.Model):
    shared = models.ForeignKey(SharedModule, on_delete=models.PROTECT, related_name="installs")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="module_installs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    module_id = models.BigIntegerField()  # apps.ai.AiModule in the organization's schema
    created_at = models.DateTimeField(auto_now_add=True)


class SharedConnector(models.Model):
    """An API connector (apps/connectors/openapi) an organization shared: its latest imported document, copied here in
    the public schema with a title, description and icon. Never a credential: the document describes how to sign in,
    and the address it came from is kept without its query, fragment or user name (where API keys travel).
    Installing imports the document into the installing organization as a connector of its own."""

    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("description"), max_length=2000)
    icon = models.CharField(max_length=40, default="openapi")
    author_organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="shared_connectors")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    connector_name = models.CharField(max_length=100)
    connector_version = models.PositiveIntegerField()
    spec_text = models.TextField()
    base_url = models.CharField(max_length=2000, blank=True)
    spec_version = models.CharField(max_length=40)
    api_title = models.CharField(max_length=200, blank=True)
    operations = models.JSONField(default=list)  # [{"id", "method", "path", "summary", "tag"}] for the listing
    install_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shared API connector")
        verbose_name_plural = _("shared API connectors")
        ordering = ["-created_at"]


class SharedConnectorInstall(models.Model):
    shared = models.ForeignKey(SharedConnector, on_delete=models.PROTECT, related_name="installs")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="connector_installs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    connector_id = models.BigIntegerField()  # apps.connectors.ApiConnector in the organization's schema
    created_at = models.DateTimeField(auto_now_add=True)
