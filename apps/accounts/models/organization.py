from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Organization(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    suspended_reason = models.CharField(_("reason for suspension"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.EZFLOW_DEFAULT_TIME_ZONE)
    allowed_internal_hosts = ArrayField(
        models.CharField(max_length=255),
        default=list,
        blank=True,
        verbose_name=_("internal hosts flows may call"),
        help_text=_("Host names, IP addresses or ranges (CIDR) inside your network that HTTP request steps may reach."),
    )
    run_retention_days = models.PositiveIntegerField(_("keep runs for (days)"), default=30)
    run_retention_count = models.PositiveIntegerField(_("keep at most (runs)"), default=10_000)
    # Empty: the platform's EZFLOW_FILES_MAX_FILE_BYTES / EZFLOW_FILES_MAX_TOTAL_BYTES (apps/files, docs/files.md).
    file_max_bytes = models.PositiveBigIntegerField(
        _("largest file (bytes)"), null=True, blank=True, help_text=_("Empty: the platform's limit.")
    )
    files_max_total_bytes = models.PositiveBigIntegerField(
        _("file storage (bytes)"), null=True, blank=True, help_text=_("Empty: the platform's limit.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.EZFLOW_BASE_DOMAIN}"

    @property
    def url(self) -> str:
        return site_url(self.host)


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


def site_url(host: str, path: str = "/") -> str:
    scheme, port = settings.EZFLOW_SCHEME, settings.EZFLOW_PORT
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port == default_port else f"{host}:{port}"
    return f"{scheme}://{netloc}{path}"


def schema_name_for_slug(slug: str) -> str:
    # Slugs have no underscores, so this mapping is one-to-one; the prefix keeps digits and
    # PostgreSQL's reserved "pg_" away from the start of the name.
    return "org_" + slug.replace("-", "_")
