"""Installing a template into an organization ("Use this template") and updating such a fork to a newer version."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from apps.accounts.roles import Role
from apps.flows.engine.diff import graph_diff
from apps.flows.nodes.registry import load_builtin_nodes
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.merge import merge_graphs
from apps.marketplace.models import Template, TemplateInstall, TemplateVersion, Visibility
from apps.marketplace.services.common import require_role

TRENDING_WINDOW = timedelta(days=7)


@dataclass
class ForkResult:
    flow: object  # apps.flows.Flow in the installing organization's schema
    install: TemplateInstall
    credentials_needed: list[dict] = field(default_factory=list)  # {"node_id", "node_name", "credential_type"}


@dataclass
class ForkStatus:
    flow: object
    template: Template | None
    installed_version: TemplateVersion | None
    latest_version: TemplateVersion | None
    update_available: bool
    local_changes: dict | None = None
    upstream_changes: dict | None = None
    conflicts: list[dict] = field(default_factory=list)


@dataclass
class ForkUpdateResult:
    flow: object
    version: TemplateVersion
    conflicts: list[dict] = field(default_factory=list)


def credentials_needed(graph: dict) -> list[dict]:
    registry = load_builtin_nodes()
    needed = []
    for node in graph.get("nodes", []):
        node_type = registry.get(node.get("type"))
        parameters = node.get("parameters") or {}
        for spec in node_type.params if node_type else ():
            if spec.type != "credential":
                continue
            kind = spec.credential_type or (
                parameters.get("authentication") if parameters.get("authentication") not in (None, "", "none") else ""
            )
            if kind:
                # A step shipped switched off (an optional branch) needs its connection only once switched on.
                optional = isinstance(node.get("settings"), dict) and node["settings"].get("disabled") is True
                name = node.get("name") or node.get("id")
                needed.append({"node_id": node.get("id"), "node_name": name, "credential_type": kind, "optional": optional})
    return needed


def template_installable(*, template: Template, organization) -> bool:
    if template.is_hidden:
        return False
    return template.visibility != Visibility.ORGANIZATION or template.author_organization_id == getattr(organization, "pk", None)


def template_trending_refresh(*, template_id: int | None = None) -> int:
    """Installs in the last 7 days, for "trending" (one template after an install, or all of them periodically)."""
    since = timezone.now() - TRENDING_WINDOW
    templates = Template.objects.all() if template_id is None else Template.objects.filter(pk=template_id)
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    recent = (
        TemplateInstall.objects.filter(template=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("template")
        .annotate(n=Count("id"))
        .values("n")
    )
    return templates.update(trending_score=Coalesce(Subquery(recent), 0.0) * 1.0)


def _with_sample(version: TemplateVersion) -> dict:
    """The version's graph with its sample input pinned on the trigger, so the installed flow tests at once."""
    trigger = next((node for node in version.graph.get("nodes", []) if _is_trigger(node)), None)
    if not version.sample_input or trigger is None:
        return version.graph
    return {**version.graph, "pinned": {trigger["id"]: version.sample_input}}


def _is_trigger(node) -> bool:
    return isinstance(node, dict) and load_builtin_nodes().trigger_kind_of(node) is not None


def template_fork(*, membership, template: Template, version: TemplateVersion | None = None, name: str | None = None) -> ForkResult:
    require_role(membership, Role.EDITOR)
    organization = membership.organization
    if not template_installable(template=template, organization=organization):
        raise MarketplaceError(_("This template is not available."), code="not_found", status=404)
    if version is None:
        version = template.latest_version
    elif version.template_id != template.pk:
        raise MarketplaceError(_("That version belongs to another template."), code="invalid", field="version")
    if version is None:
        raise MarketplaceError(_("This template has no version that can be installed."), code="no_version", field="version")
    if version.is_yanked:
        raise MarketplaceError(
            _("This version was withdrawn by its author. Choose another version."), code="version_yanked", field="version"
        )
    if name is not None and len(name.strip()) > 200:
        raise MarketplaceError(_("Use at most %(max)s characters.") % {"max": 200}, code="invalid", field="name")
    from apps.flows.models import Flow
    from apps.flows.services.flows import flow_create

    with transaction.atomic():
        with tenant_context(organization):
            flow = flow_create(
                user=membership.user,
                name=((name or "").strip() or template.title)[:200],  # titles are at most 120
                description=template.summary,
                tags=list(template.tags)[:20],
                graph=_with_sample(version),
            )
            Flow.objects.filter(pk=flow.pk).update(origin_template_id=template.pk, origin_version_id=version.pk, origin_graph=version.graph)
            flow.origin_template_id, flow.origin_version_id, flow.origin_graph = template.pk, version.pk, version.graph
        install = TemplateInstall.objects.create(
            template=template, version=version, organization=organization, user=membership.user, flow_id=flow.pk
        )
        Template.objects.filter(pk=template.pk).update(install_count=F("install_count") + 1)
        template_trending_refresh(template_id=template.pk)
    return ForkResult(flow=flow, install=install, credentials_needed=credentials_needed(version.graph))


def _graph_of(flow) -> dict:
    return {key: value for key, value in (flow.draft or {}).items() if key != "pinned"}


def fork_update_check(*, organization, flow) -> ForkStatus:
    """Whether a newer version exists, what the organization changed since installing, what the template changed
    and which of those collide."""
    template = (
        Template.objects.select_related("latest_version").filter(pk=flow.origin_template_id).first() if flow.origin_template_id else None
    )
    installed = TemplateVersion.objects.filter(pk=flow.origin_version_id).first() if flow.origin_version_id else None
    if template is None:
        return ForkStatus(flow=flow, template=None, installed_version=installed, latest_version=None, update_available=False)
    # A template its author made organization-only, or moderators hid, sends no more versions to other organizations.
    latest = template.latest_version if template_installable(template=template, organization=organization) else None
    available = bool(latest and installed and latest.sort_key > installed.sort_key)
    base = flow.origin_graph or (installed.graph if installed else {"nodes": [], "edges": []})
    status = ForkStatus(
        flow=flow,
        template=template,
        installed_version=installed,
        latest_version=latest,
        update_available=available,
        local_changes=graph_diff(base, _graph_of(flow)),
    )
    if available:
        status.upstream_changes = graph_diff(base, latest.graph)
        status.conflicts = merge_graphs(base, _graph_of(flow), latest.graph).conflicts
    return status


def fork_update(*, membership, flow, version: TemplateVersion | None = None) -> ForkUpdateResult:
    """Applies the template's changes since the installed version to the flow's draft (three-way merge). The
    organization's credentials, secrets and edits stay; conflicting fields keep the organization's value and are
    returned so the editor can show them. Publishing the draft stays the member's decision."""
    require_role(membership, Role.EDITOR)
    from apps.flows.models import Flow
    from apps.flows.services.flows import flow_update

    with transaction.atomic(), tenant_context(membership.organization):
        locked = Flow.objects.select_for_update().filter(pk=flow.pk).first()
        if locked is None or not locked.origin_template_id:
            raise MarketplaceError(_("This flow was not installed from a template."), code="not_a_fork", field="flow")
        installed = TemplateVersion.objects.filter(pk=locked.origin_version_id).first()
        template = Template.objects.select_related("latest_version").get(pk=locked.origin_template_id)
        if not template_installable(template=template, organization=membership.organization):
            raise MarketplaceError(_("This template is not available."), code="not_found", status=404)
        target = version or template.latest_version
        if target is None or target.template_id != template.pk:
            raise MarketplaceError(_("That version belongs to another template."), code="invalid", field="version")
        if target.is_yanked:
            raise MarketplaceError(
                _("This version was withdrawn by its author. Choose another version."), code="version_yanked", field="version"
            )
        if installed is not None and target.sort_key <= installed.sort_key:
            raise MarketplaceError(_("This flow is already up to date."), code="up_to_date", field="version")
        base = locked.origin_graph or (installed.graph if installed else {"nodes": [], "edges": []})
        merged = merge_graphs(base, locked.draft or {}, target.graph)
        updated = flow_update(flow=locked, graph=merged.graph)
        Flow.objects.filter(pk=locked.pk).update(origin_version_id=target.pk, origin_graph=target.graph)
        updated.origin_version_id, updated.origin_graph = target.pk, target.graph
    return ForkUpdateResult(flow=updated, version=target, conflicts=merged.conflicts)
