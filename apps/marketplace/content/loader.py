"""Publishes the shipped templates in the marketplace under the platform author “EZFlow”, idempotently.

The author is an organization like any other (templates always belong to one), on the reserved address `ezflow`
so that nobody can sign up with it; its only member has no usable password. Each shipped template is kept as a flow
there, tagged with its slug and the id of the template it was published as; a file whose graph changed is published
as the next minor version, and changed details (title, description, tags...) update the template in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django_tenants.utils import tenant_context

from apps.accounts.models import Domain, Membership, Organization, User
from apps.accounts.models.organization import schema_name_for_slug
from apps.accounts.roles import Role
from apps.marketplace.content import shipped_templates

AUTHOR_SLUG = "ezflow"
AUTHOR_NAME = "EZFlow"
AUTHOR_EMAIL = "templates@ezflow.localhost"
SLUG_TAG = "template:"
ID_TAG = "template-id:"
HEADINGS = {"ko": "한국어", "en": "English"}


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    new_version: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def platform_author_ensure() -> Membership:
    """The EZFlow organization and its owner (created once; the reserved slug keeps it out of sign-up)."""
    organization = Organization.objects.filter(slug=AUTHOR_SLUG).first()
    if organization is None:
        with transaction.atomic():
            organization = Organization(schema_name=schema_name_for_slug(AUTHOR_SLUG), name=AUTHOR_NAME, slug=AUTHOR_SLUG)
            organization.save(verbosity=0)
            Domain.objects.create(domain=organization.host, tenant=organization, is_primary=True)
    user = User.objects.filter(email=AUTHOR_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=AUTHOR_EMAIL, password=None)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _created = Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": Role.OWNER})
    membership.organization = organization
    return membership


def _bilingual(texts: dict, first: str, *, title: str = "", summary: str = "") -> str:
    """The text in the template's language, then the other language under its own heading (searchable in both)."""
    other = "en" if first == "ko" else "ko"
    heading = f"### {HEADINGS[other]}" + (f": {title}" if title else "")
    lead = f"*{summary.strip()}*\n\n" if summary else ""
    return f"{texts[first].strip()}\n\n---\n\n{heading}\n\n{lead}{texts[other].strip()}"


def template_details(content: dict) -> dict:
    """Marketplace details of a shipped template: title and summary in its language, the description in both."""
    language = content["language"]
    other = "en" if language == "ko" else "ko"
    return {
        "title": content["title"][language],
        "summary": content["summary"][language],
        "description": _bilingual(content["description"], language, title=content["title"][other], summary=content["summary"][other]),
        "category": content["category"],
        "tags": [tag.strip().lower() for tag in content["tags"]],
        "icon": content["icon"],
        "language": language,
        "license": content["license"],
    }


def _tag_value(flow, prefix: str) -> str:
    return next((tag[len(prefix) :] for tag in flow.tags if tag.startswith(prefix)), "")


def _next_minor(version) -> str:
    return f"{version.major}.{version.minor + 1}.0"


def templates_load(*, slugs=None) -> LoadReport:
    from apps.flows.models import Flow
    from apps.flows.services.flows import flow_create, flow_update
    from apps.marketplace.models import Template, TemplateVersion
    from apps.marketplace.services import template_publish, template_publish_preview, template_update, template_version_publish

    membership = platform_author_ensure()
    organization = membership.organization
    report = LoadReport()
    for content in shipped_templates():
        slug = content["slug"]
        if slugs and slug not in slugs:
            continue
        details = template_details(content)
        changelog = _bilingual(content["changelog"], content["language"])
        sample = content.get("sample_input") or []
        with tenant_context(organization):
            flow = Flow.objects.filter(tags__contains=[SLUG_TAG + slug]).first()
            if flow is None:
                flow = flow_create(user=membership.user, name=details["title"][:200], tags=[SLUG_TAG + slug], graph=content["graph"])
            elif flow.draft.get("nodes") != content["graph"]["nodes"] or flow.draft.get("edges") != content["graph"]["edges"]:
                flow = flow_update(flow=flow, graph=content["graph"])
            template_id = _tag_value(flow, ID_TAG)
            shared_graph = template_publish_preview(flow=flow).graph
        template = None
        if template_id.isdecimal():
            template = Template.objects.filter(pk=int(template_id), author_organization=organization).first()
        if template is None:
            template = template_publish(
                membership=membership, flow=flow, **details, version="1.0.0", changelog=changelog, sample_input=sample
            )
            with tenant_context(organization):
                flow_update(flow=flow, tags=[SLUG_TAG + slug, f"{ID_TAG}{template.pk}"])
            report.created.append(slug)
            continue
        newest = TemplateVersion.objects.filter(template=template).order_by("-major", "-minor", "-patch").first()
        changed = False
        if newest is None or newest.graph != shared_graph or newest.sample_input != sample:
            version = _next_minor(newest) if newest else "1.0.0"
            template_version_publish(
                membership=membership, template=template, flow=flow, version=version, changelog=changelog, sample_input=sample
            )
            report.new_version.append(slug)
            changed = True
        if any(getattr(template, name) != value for name, value in details.items()):
            template_update(membership=membership, template=template, **details)
            if not changed:
                report.updated.append(slug)
            changed = True
        if not changed:
            report.unchanged.append(slug)
    return report
