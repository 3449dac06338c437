"""Sharing AI modules: one version of an organization's module copied into the public schema, and installed into
another organization as a module of its own (the AI app checks the file again, as for an upload)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.ai.modules import selectors as module_selectors
from apps.ai.modules import services as module_services
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import SharedModule, SharedModuleInstall
from apps.marketplace.services.common import require_role


def module_share(*, membership, module_id: int, title: str, summary: str, license: str, version: int | None = None) -> SharedModule:
    """Shares the module's active version (or `version`) of the organization whose schema is current."""
    require_role(membership, Role.EDITOR)
    module = module_selectors.module_find(str(module_id))
    if module is None:
        raise MarketplaceError(_("This organization has no such AI module."), code="not_found", status=404)
    title, summary, license = str(title or "").strip(), str(summary or "").strip(), str(license or "").strip()
    problems = {}
    if not 1 <= len(title) <= 120:
        problems["title"] = _("Give a title of 1 to 120 characters.")
    if not 1 <= len(summary) <= 2000:
        problems["summary"] = _("Describe what the module does (at most 2,000 characters).")
    if not 1 <= len(license) <= 100:
        problems["license"] = _("Name the licence others may use the model under (for example Apache-2.0 or CC-BY-4.0).")
    if problems:
        field, message = next(iter(problems.items()))
        raise MarketplaceError(message, code="invalid", field=field)
    try:
        exported = module_selectors.module_export(module=module, number=version)
    except Exception:
        raise MarketplaceError(
            _("The module has no version %(number)s.") % {"number": version or "-"}, code="not_found", status=404
        ) from None
    return SharedModule.objects.create(
        title=title,
        summary=summary,
        license=license,
        author_organization_id=membership.organization_id,
        author=membership.user,
        module_name=exported["name"],
        module_version=exported["number"],
        kind=exported["kind"],
        spec=exported["spec"],
        signature=exported["signature"],
        endpoint=exported["endpoint"],
        example=exported["example"],
        model=exported["model"],
        sha256=exported["sha256"],
        size=exported["size"],
    )


def module_install(*, membership, shared: SharedModule, name: str = ""):
    """A copy of the shared module in the member's organization (its current schema), usable by the step at once."""
    require_role(membership, Role.EDITOR)
    if shared.is_hidden:
        raise MarketplaceError(_("This module was hidden by the moderators."), code="not_found", status=404)
    version = module_services.ai_module_install(
        user=membership.user,
        name=(name or shared.module_name).strip(),
        shared={
            "kind": shared.kind,
            "spec": shared.spec,
            "model": bytes(shared.model) if shared.model is not None else None,
            "endpoint": shared.endpoint,
            "summary": shared.summary,
            "license": shared.license,
            "example": shared.example,
        },
        source=f"marketplace:{shared.pk}",
    )
    with transaction.atomic():
        SharedModuleInstall.objects.create(
            shared=shared, organization_id=membership.organization_id, user=membership.user, module_id=version.module_id
        )
        SharedModule.objects.filter(pk=shared.pk).update(install_count=F("install_count") + 1)
    return version
