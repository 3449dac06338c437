"""Reads for the assistant: marketplace templates the offline planner may start from."""

from __future__ import annotations

from django.db.models import Q

from apps.assistant.planner.templates import Skeleton
from apps.flows.models import Variable
from apps.marketplace.models import Template, TemplateInstall
from apps.marketplace.selectors import template_listed

MAX_CANDIDATES = 100


def _lead(description: str) -> str:
    """The headings and lead lines of a template's description (where the other language's title and summary are)."""
    return " ".join(line for line in (description or "").splitlines() if line.startswith(("### ", "*")))


def _other_titles(description: str) -> tuple[str, ...]:
    """The other language's title from the description's heading ("### English: Title"), as published templates have."""
    return tuple(line.split(":", 1)[1].strip() for line in (description or "").splitlines() if line.startswith("### ") and ":" in line)


def template_skeleton(template: Template) -> Skeleton:
    return Skeleton(
        id=template.pk,
        title=template.title,
        titles=(template.title, *_other_titles(template.description)),
        text=" ".join([template.summary, " ".join(template.tags or []), _lead(template.description)]),
        graph=template.latest_version.graph,
        popularity=template.install_count,
    )


def template_skeletons(*, organization, step_keys: list[str], words: list[str]) -> list[Skeleton]:
    """Candidates for the request: templates the organization can list (public, its own) or has installed, with a
    current version, holding every step the request names (or, when it names none, sharing one of its words)."""
    own = template_listed(organization=organization).values("pk")
    installed = TemplateInstall.objects.filter(organization=organization).values("template_id")
    templates = Template.objects.filter(Q(pk__in=own) | Q(pk__in=installed), is_hidden=False, latest_version__isnull=False).filter(
        latest_version__yanked_at__isnull=True
    )
    if step_keys:
        templates = templates.filter(node_types__contains=list(step_keys))
    elif words:
        anywhere = Q()
        for word in words[:8]:
            anywhere |= Q(search_text__contains=word)
        templates = templates.filter(anywhere)
    else:
        return []
    chosen = templates.select_related("latest_version").order_by("-install_count", "-id")[:MAX_CANDIDATES]
    return [template_skeleton(template) for template in chosen]


def variable_names() -> set[str]:
    """The organization's variables (templates' `{{ vars.name }}` the person need not add)."""
    return set(Variable.objects.values_list("name", flat=True))
