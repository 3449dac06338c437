"""Platform staff withdrawing a template version (the author's own yank lives in services.publishing)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.marketplace.models import Template, TemplateVersion
from apps.marketplace.services.common import require_staff


def template_version_yank_as_moderator(*, moderator, version: TemplateVersion, reason: str = "") -> TemplateVersion:
    """Hides a version from new installs (never deletes it: installed flows keep working and keep their origin)."""
    require_staff(moderator)
    with transaction.atomic():
        locked = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        if locked.yanked_at is None:
            locked.yanked_at = timezone.now()
            locked.yanked_reason = (reason or "").strip()[:300]
            locked.save(update_fields=["yanked_at", "yanked_reason"])
            template = Template.objects.select_for_update().get(pk=locked.template_id)
            latest = (
                TemplateVersion.objects.filter(template=template, yanked_at__isnull=True).order_by("-major", "-minor", "-patch").first()
            )
            template.latest_version = latest
            template.node_types = latest.node_types if latest else []
            template.save(update_fields=["latest_version", "node_types", "updated_at"])
    return locked
