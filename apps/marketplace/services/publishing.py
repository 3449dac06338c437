"""Publishing flows as templates: a preview of exactly what is shared, immutable versions, yanking, moderation."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tenants.utils import tenant_context

from apps.flows.engine.validation import validate_graph
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.problems import problems_payload
from apps.flows.scrub import scrub_node_secrets
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import Category, Language, License, Template, TemplateVersion, Visibility
from apps.marketplace.services.common import parse_version, require_author, require_role, require_staff

ICON_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # a name from the icon set, never markup or an address
NODE_KEYS = ("id", "type", "type_version", "name", "position", "parameters", "settings")  # nothing else of a node is shared
EDGE_KEYS = ("id", "source", "source_port", "target", "target_port")
MAX_TAGS = 10


@dataclass
class PublishPreview:
    graph: dict  # exactly what will be shared
    removed: list[dict] = field(default_factory=list)  # {"node_id", "node_name", "path", "kind"}
    credential_types: list[str] = field(default_factory=list)
    node_types: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    internal: list[dict] = field(default_factory=list)  # {"node_name", "address"}: hosts other organizations can't reach
    origin: tuple = (None, None)  # (template id, version id) when the flow was installed from a template


def template_publish_preview(*, flow) -> PublishPreview:
    """What publishing `flow` (a tenant Flow) would share: its draft without credential references, secrets,
    secret-looking header/query values, passwords in addresses and pinned (test) data. Run data is never part of a graph."""
    registry = load_builtin_nodes()
    source = flow.draft or {}
    removed: list[dict] = []
    names = {n.get("id"): n.get("name") or n.get("id") for n in source.get("nodes", []) if isinstance(n, dict)}
    for node_id in sorted((source.get("pinned") or {}).keys(), key=str):
        removed.append({"node_id": node_id, "node_name": names.get(node_id, node_id), "path": "pinned", "kind": "pinned"})
    nodes = [{key: node[key] for key in NODE_KEYS if key in node} for node in source.get("nodes", []) if isinstance(node, dict)]
    edges = [{key: edge[key] for key in EDGE_KEYS if key in edge} for edge in source.get("edges", []) if isinstance(edge, dict)]
    graph = copy.deepcopy({"format": "ezflow/1", "nodes": nodes, "edges": edges})
    credential_types: set[str] = set()
    node_types: set[str] = set()
    for node in graph["nodes"]:
        node_types.add(str(node.get("type")))
        node_type = registry.get(node.get("type"))
        seen: set[str] = set()

        def strip(path: str, kind: str, node=node, seen=seen):
            if path not in seen:
                seen.add(path)
                removed.append({"node_id": node.get("id"), "node_name": node.get("name") or node.get("id"), "path": path, "kind": kind})

        credential_types |= scrub_node_secrets(node, node_type, strip)
    # Credentials are what every installer chooses for themselves: a missing one is no reason to refuse publishing.
    credential_paths = {
        (node.get("id"), f"parameters.{spec.name}")
        for node in source.get("nodes", [])
        if isinstance(node, dict) and registry.get(node.get("type"))
        for spec in registry.get(node.get("type")).params
        if spec.type == "credential"
    }
    problems = problems_payload(
        [p for p in validate_graph(source) if not (p.code == "required" and (p.node_id, p.path) in credential_paths)]
    )
    return PublishPreview(
        graph=graph,
        removed=removed,
        credential_types=sorted(credential_types),
        node_types=sorted(node_types),
        problems=problems,
        internal=internal_addresses(graph),
    )


HOST_WORD = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d+)?", re.IGNORECASE)  # a host[:port] written alone
INTERNAL_NAMES = ("localhost", "host.docker.internal")
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home", ".corp", ".intranet")


def _is_internal_host(host: str) -> bool:
    import ipaddress

    host = host.strip("[]").rstrip(".").lower()
    if host in INTERNAL_NAMES or host.endswith(INTERNAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def internal_addresses(graph: dict) -> list[dict]:
    """Addresses in the shared settings that point inside the publisher's own network (127.0.0.1, 192.168.x.x,
    *.local, ...): they work for nobody who installs the template, so the wizard warns before publishing."""
    found: list[dict] = []
    seen: set[tuple] = set()

    def visit(value, node_name: str):
        if isinstance(value, dict):
            for item in value.values():
                visit(item, node_name)
        elif isinstance(value, list):
            for item in value:
                visit(item, node_name)
        elif isinstance(value, str) and ("." in value or "localhost" in value.lower() or "[" in value):
            for word in value.split():
                word = word.strip("\"'(),;<>")
                if "{{" in word:
                    continue
                if "://" in word:
                    try:
                        host = urlsplit(word).hostname or ""
                    except ValueError:
                        continue
                else:
                    match = HOST_WORD.fullmatch(word)
                    host = match.group(1) if match else ""
                if host and _is_internal_host(host) and (node_name, host) not in seen:
                    seen.add((node_name, host))
                    found.append({"node_name": node_name, "address": word})

    for node in graph.get("nodes", []):
        visit(node.get("parameters") or {}, str(node.get("name") or node.get("id")))
    return found


def _clean_details(data: dict, *, partial: bool = False) -> dict:
    """Checks every field at once; raises the first problem per field (all collected in `extra['fields']`)."""
    errors: dict[str, str] = {}
    clean: dict = {}

    def text(name, maximum, required):
        if name not in data:
            if not partial and required:
                errors[name] = _("This field is required.")
            return
        value = (data.get(name) or "").strip()
        if required and not value:
            errors[name] = _("This field is required.")
        elif len(value) > maximum:
            errors[name] = _("Use at most %(max)s characters.") % {"max": maximum}
        else:
            clean[name] = value

    text("title", 120, True)
    text("summary", 300, True)
    text("description", 20_000, False)
    text("icon", 40, False)
    if clean.get("icon") and not ICON_NAME.fullmatch(clean["icon"]):
        errors["icon"] = _("Use an icon name made of small letters, digits and dashes, like “mail”.")
    for name, choices, default in (
        ("category", Category, Category.OTHER),
        ("language", Language, Language.KO),
        ("license", License, License.CC_BY),
        ("visibility", Visibility, Visibility.PUBLIC),
    ):
        if name in data and data[name] not in (None, ""):
            if data[name] not in choices.values:
                errors[name] = _("Choose one of the options.")
            else:
                clean[name] = data[name]
        elif not partial:
            clean[name] = default
    if "tags" in data:
        tags = data.get("tags") or []
        if not isinstance(tags, (list, tuple)) or any(not isinstance(t, str) for t in tags):
            errors["tags"] = _("Tags are a list of words.")
        else:
            cleaned = []
            for tag in tags:
                tag = tag.strip().lower().lstrip("#")
                if tag and tag not in cleaned:
                    cleaned.append(tag)
            if len(cleaned) > MAX_TAGS or any(len(t) > 40 for t in cleaned):
                errors["tags"] = _("Use at most %(max)s tags of at most 40 characters.") % {"max": MAX_TAGS}
            else:
                clean["tags"] = cleaned
    if errors:
        first = next(iter(errors))
        raise MarketplaceError(errors[first], code="invalid", field=first, extra={"fields": errors})
    return clean


def _search_text(template: Template) -> str:
    labels = []
    for language in ("ko", "en"):
        with override(language):
            labels.append(str(Category(template.category).label))
    parts = [template.title, template.summary, " ".join(template.tags), " ".join(labels), template.description[:4000]]
    return " ".join(p for p in parts if p).lower()


def template_search_refresh(*, template: Template) -> None:
    """Rebuilds the combined search text and the full-text vector (English words weighted by where they appear)."""
    Template.objects.filter(pk=template.pk).update(
        search_text=_search_text(template),
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector(Value(" ".join(template.tags)), weight="B", config="english")
        + SearchVector("description", weight="C", config="english"),
    )


def _frozen_graph(*, membership, flow) -> PublishPreview:
    if getattr(flow, "pk", None) is None:
        raise MarketplaceError(_("Choose a flow of your organization to publish."), code="invalid", field="flow")
    with tenant_context(membership.organization):
        from apps.flows.models import Flow

        fresh = Flow.objects.filter(pk=flow.pk).first()
        if fresh is None:
            raise MarketplaceError(_("Choose a flow of your organization to publish."), code="not_found", field="flow", status=404)
        preview = template_publish_preview(flow=fresh)
        preview.origin = (fresh.origin_template_id, fresh.origin_version_id)
    if preview.problems:
        raise MarketplaceError(
            _("The flow has problems. Fix them in the editor before publishing."),
            code="invalid_flow",
            field="flow",
            extra={"problems": preview.problems},
        )
    if not preview.graph["nodes"]:
        raise MarketplaceError(_("An empty flow cannot be published."), code="invalid_flow", field="flow")
    return preview


SAMPLE_MAX_BYTES = 64 * 1024


def _clean_sample(sample_input) -> list:
    """The author's sample input: a short JSON list of objects (the items the trigger receives)."""
    import json

    sample = list(sample_input or [])
    if not all(isinstance(item, dict) for item in sample) or len(sample) > 20:
        raise MarketplaceError(_("Sample input must be a list of at most 20 JSON objects."), code="invalid", field="sample_input")
    if len(json.dumps(sample, ensure_ascii=False).encode()) > SAMPLE_MAX_BYTES:
        raise MarketplaceError(
            _("Sample input must be at most %(size)s bytes.") % {"size": SAMPLE_MAX_BYTES}, code="invalid", field="sample_input"
        )
    return sample


def _new_version(*, template: Template, preview: PublishPreview, version: str, changelog: str, user, sample_input=None) -> TemplateVersion:
    major, minor, patch = parse_version(version)
    newest = TemplateVersion.objects.filter(template=template).order_by("-major", "-minor", "-patch").first()
    if newest is not None and (major, minor, patch) <= newest.sort_key:
        raise MarketplaceError(
            _("The new version must be greater than %(version)s.") % {"version": newest.version},
            code="version_not_greater",
            field="version",
        )
    if len(changelog or "") > 10_000:
        raise MarketplaceError(_("Use at most %(max)s characters.") % {"max": 10_000}, code="invalid", field="changelog")
    return TemplateVersion.objects.create(
        template=template,
        version=f"{major}.{minor}.{patch}",
        major=major,
        minor=minor,
        patch=patch,
        changelog=(changelog or "").strip(),
        graph=preview.graph,
        sample_input=_clean_sample(sample_input),
        credential_types=preview.credential_types,
        node_types=preview.node_types,
        published_by=user,
    )


def template_publish(
    *,
    membership,
    flow,
    title: str,
    summary: str,
    description: str = "",
    category: str = Category.OTHER,
    tags=(),
    icon: str = "",
    language: str = Language.KO,
    license: str = License.CC_BY,  # noqa: A002
    visibility: str = Visibility.PUBLIC,
    version: str = "1.0.0",
    changelog: str = "",
    sample_input: list | None = None,
) -> Template:
    require_role(membership)
    details = _clean_details(
        {
            "title": title,
            "summary": summary,
            "description": description,
            "category": category,
            "tags": list(tags or []),
            "icon": icon,
            "language": language,
            "license": license,
            "visibility": visibility,
        }
    )
    parse_version(version)
    preview = _frozen_graph(membership=membership, flow=flow)
    origin_template_id, origin_version_id = preview.origin
    with transaction.atomic():
        origin = Template.objects.select_for_update().filter(pk=origin_template_id).first() if origin_template_id else None
        template = Template.objects.create(
            **{**details, "icon": details.get("icon") or "box"},
            author_organization=membership.organization,
            author=membership.user,
            forked_from=origin,
            forked_from_version_id=origin_version_id if origin else None,
        )
        latest = _new_version(
            template=template, preview=preview, version=version, changelog=changelog, user=membership.user, sample_input=sample_input
        )
        template.latest_version = latest
        template.node_types = latest.node_types
        template.save(update_fields=["latest_version", "node_types"])
        template_search_refresh(template=template)
        if origin is not None:
            Template.objects.filter(pk=origin.pk).update(fork_count=F("fork_count") + 1)
    return template


def template_update(*, membership, template: Template, **fields) -> Template:
    require_author(membership, template)
    allowed = {"title", "summary", "description", "category", "tags", "icon", "language", "license", "visibility"}
    unknown = set(fields) - allowed
    if unknown:
        raise MarketplaceError(_("These details cannot be changed here."), code="invalid", field=sorted(unknown)[0])
    details = _clean_details(fields, partial=True)
    with transaction.atomic():
        locked = Template.objects.select_for_update().get(pk=template.pk)
        for name, value in details.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*details, "updated_at"])
        template_search_refresh(template=locked)
    return locked


def template_version_publish(
    *, membership, template: Template, flow, version: str, changelog: str = "", sample_input: list | None = None
) -> TemplateVersion:
    require_author(membership, template)
    parse_version(version)
    preview = _frozen_graph(membership=membership, flow=flow)
    with transaction.atomic():
        locked = Template.objects.select_for_update().get(pk=template.pk)
        new = _new_version(
            template=locked, preview=preview, version=version, changelog=changelog, user=membership.user, sample_input=sample_input
        )
        _refresh_latest(locked)
    return new


def _refresh_latest(template: Template) -> None:
    latest = TemplateVersion.objects.filter(template=template, yanked_at__isnull=True).order_by("-major", "-minor", "-patch").first()
    template.latest_version = latest
    template.node_types = latest.node_types if latest else []
    template.save(update_fields=["latest_version", "node_types", "updated_at"])


def template_version_yank(*, membership, version: TemplateVersion, reason: str = "") -> TemplateVersion:
    """Hides a version from new installs; flows installed from it keep working and keep their origin."""
    require_author(membership, version.template)
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise MarketplaceError(_("Use at most %(max)s characters.") % {"max": 300}, code="invalid", field="reason")
    with transaction.atomic():
        locked = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        if locked.yanked_at is None:
            locked.yanked_at = timezone.now()
            locked.yanked_reason = reason
            locked.save(update_fields=["yanked_at", "yanked_reason"])
            _refresh_latest(Template.objects.select_for_update().get(pk=locked.template_id))
    return locked


def template_set_hidden(*, moderator, template: Template, hidden: bool) -> Template:
    require_staff(moderator)
    Template.objects.filter(pk=template.pk).update(is_hidden=bool(hidden), updated_at=timezone.now())
    template.refresh_from_db()
    return template
