"""Sharing API connectors (imported OpenAPI/Swagger documents): the latest version of an organization's connector
copied into the public schema with a title, description and icon, and installed into another organization as a
connector of its own (imported again there, so that organization's importer checks it like any document).

Credentials are never shared: a connector holds none (the flows' steps name the organization's own credentials), and
the address the document was fetched from loses its query, fragment and user name, where API keys such as
data.go.kr's `serviceKey` travel. The installing organization signs in with its own credential."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.connectors.openapi import selectors as connector_selectors
from apps.connectors.openapi import services as connector_services
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import SharedConnector, SharedConnectorInstall
from apps.marketplace.services.common import require_role

DEFAULT_ICON = "openapi"


def connector_icons() -> list[str]:
    """The service icons a shared connector may show (static/connectors/icons/<name>.svg)."""
    folder = Path(settings.BASE_DIR) / "static" / "connectors" / "icons"
    return sorted(p.stem for p in folder.glob("*.svg"))


def shareable_address(url: str) -> str:
    """The address a document came from, without what may carry a secret: user name and password, query, fragment."""
    parts = urlsplit(str(url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if ":" in parts.hostname:  # IPv6
        host = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def connector_share(*, membership, connector_id, title: str, summary: str, icon: str = "") -> SharedConnector:
    """Shares the latest version of the connector of the organization whose schema is current."""
    require_role(membership, Role.EDITOR)
    connector = connector_selectors.connector_list().filter(pk=connector_id if str(connector_id).isdecimal() else None).first()
    version = connector_selectors.connector_latest(connector=connector) if connector else None
    if version is None:
        raise MarketplaceError(_("This organization has no such API connector."), code="not_found", status=404)
    title, summary, icon = str(title or "").strip(), str(summary or "").strip(), str(icon or "").strip() or DEFAULT_ICON
    problems = {}
    if not 1 <= len(title) <= 120:
        problems["title"] = _("Give a title of 1 to 120 characters.")
    if not 1 <= len(summary) <= 2000:
        problems["summary"] = _("Describe what the API does (at most 2,000 characters).")
    if icon not in connector_icons():
        problems["icon"] = _("Choose one of the listed icons.")
    if problems:
        field, message = next(iter(problems.items()))
        raise MarketplaceError(message, code="invalid", field=field)
    return SharedConnector.objects.create(
        title=title,
        summary=summary,
        icon=icon,
        author_organization_id=membership.organization_id,
        author=membership.user,
        connector_name=connector.name,
        connector_version=version.number,
        spec_text=version.spec_text,
        base_url=shareable_address(version.source_url),
        spec_version=version.spec_version,
        api_title=version.title,
        operations=[{key: op.get(key, "") for key in ("id", "method", "path", "summary", "tag")} for op in version.operations],
    )


def connector_install(*, membership, shared: SharedConnector, name: str = ""):
    """The shared document imported into the member's organization (its current schema) as a connector of its own, or
    as a new version of its connector of that name. Returns the ApiConnectorVersion."""
    require_role(membership, Role.EDITOR)
    if shared.is_hidden:
        raise MarketplaceError(_("This connector was hidden by the moderators."), code="not_found", status=404)
    version = connector_services.connector_import(
        user=membership.user, name=(name or shared.connector_name).strip(), spec_text=shared.spec_text, base_url=shared.base_url
    )
    with transaction.atomic():
        SharedConnectorInstall.objects.create(
            shared=shared, organization_id=membership.organization_id, user=membership.user, connector_id=version.connector_id
        )
        SharedConnector.objects.filter(pk=shared.pk).update(install_count=F("install_count") + 1)
    return version
