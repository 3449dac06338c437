"""Reads of the marketplace: visibility, search (Korean substrings and English words), details, ratings, comments, forks."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django_tenants.utils import tenant_context

from apps.marketplace.models import Comment, Rating, Template, TemplateVersion, Visibility

SORTS = {
    "popular": ("-install_count", "-rating_average", "-id"),
    "top_rated": ("-rating_average", "-rating_count", "-id"),
    "newest": ("-created_at", "-id"),
    "trending": ("-trending_score", "-install_count", "-id"),
}
MAX_TERMS = 8


def _organization_id(organization) -> int | None:
    if organization is None or getattr(organization, "is_public", False):
        return None
    return organization.pk


def template_visible(*, organization=None) -> QuerySet[Template]:
    """Templates one may open by link: public and unlisted ones, and the organization's own organization-only ones."""
    own = _organization_id(organization)
    allowed = Q(visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED])
    if own is not None:
        allowed |= Q(visibility=Visibility.ORGANIZATION, author_organization_id=own)
    return Template.objects.filter(allowed, is_hidden=False)


def template_listed(*, organization=None) -> QuerySet[Template]:
    """Templates shown in browsing and search: public ones, plus the organization's own organization-only ones."""
    own = _organization_id(organization)
    allowed = Q(visibility=Visibility.PUBLIC)
    if own is not None:
        allowed |= Q(visibility=Visibility.ORGANIZATION, author_organization_id=own)
    return Template.objects.filter(allowed, is_hidden=False)


def search_terms(query: str) -> list[str]:
    terms = []
    for word in (query or "").lower().split():
        if word and word not in terms:
            terms.append(word[:60])
    return terms[:MAX_TERMS]


def template_search(
    *,
    organization=None,
    query: str = "",
    category: str = "",
    tags=(),
    node_types=(),
    language: str = "",
    min_rating: float | None = None,
    sort: str = "popular",
    similar: bool = False,
    prefer_language: str = "",
) -> QuerySet[Template]:
    """Every word must appear in the template's text as a substring (so "자동화" finds "업무자동화"; a trigram GIN index
    serves it), or the whole query matches as English full text (stemmed: "reports" finds "report").
    With `similar`, close words instead (typos, by trigram word similarity): callers ask for these when the exact
    search found nothing, because computing similarity over long texts is too slow to do for every search.
    With `prefer_language` (the reader's), templates written in it come first, each group in the chosen order."""
    templates = template_listed(organization=organization)
    first: list = []
    if prefer_language and not language:
        templates = templates.annotate(
            other_language=Case(When(language=prefer_language, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        first = ["other_language"]
    if category:
        templates = templates.filter(category=category)
    if tags:
        templates = templates.filter(tags__contains=[t.strip().lower().lstrip("#") for t in tags if t.strip()])
    if node_types:
        templates = templates.filter(node_types__contains=list(node_types))
    if language:
        templates = templates.filter(language=language)
    if min_rating:
        templates = templates.filter(rating_average__gte=min_rating)
    terms = search_terms(query)
    if terms:
        text = " ".join(terms)
        words = Q()
        for term in terms:
            words &= Q(search_text__contains=term)
        full_text = SearchQuery(text, config="english", search_type="websearch")
        if similar:
            templates = templates.filter(search_text__trigram_word_similar=text)
        else:
            templates = templates.filter(words | Q(search_vector=full_text))
        if sort == "relevance":
            return templates.annotate(
                relevance=SearchRank(F("search_vector"), full_text) + TrigramWordSimilarity(text, "search_text")
            ).order_by(*first, "-relevance", "-install_count", "-id")
    return templates.order_by(*first, *SORTS.get(sort, SORTS["popular"]))


def template_detail(*, template_id, organization=None) -> Template | None:
    try:
        template_id = int(template_id)
    except (TypeError, ValueError):
        return None
    return (
        template_visible(organization=organization)
        .select_related("author", "author_organization", "latest_version", "forked_from", "forked_from_version")
        .defer("search_text", "search_vector", "forked_from__search_text", "forked_from__search_vector")
        .filter(pk=template_id)
        .first()
    )


def template_version_list(*, template: Template, include_yanked: bool = True) -> QuerySet[TemplateVersion]:
    versions = TemplateVersion.objects.filter(template=template)
    if not include_yanked:
        versions = versions.filter(yanked_at__isnull=True)
    return versions.order_by("-major", "-minor", "-patch")


def rating_distributions(*, template_ids) -> dict[int, dict[int, int]]:
    """{template id: {1: n, ..., 5: n}} for many templates in one query."""
    out = {template_id: dict.fromkeys(range(1, 6), 0) for template_id in template_ids}
    rows = Rating.objects.filter(template_id__in=list(template_ids)).values("template_id", "stars").annotate(n=Count("id")).order_by()
    for row in rows:
        out[row["template_id"]][row["stars"]] = row["n"]
    return out


def rating_summary(*, template: Template) -> dict:
    distribution = rating_distributions(template_ids=[template.pk])[template.pk]
    count = sum(distribution.values())
    average = round(sum(stars * n for stars, n in distribution.items()) / count, 2) if count else 0.0
    return {"average": average, "count": count, "distribution": distribution}


def rating_get(*, template: Template, user) -> Rating | None:
    if user is None or not user.is_authenticated:
        return None
    return Rating.objects.filter(template=template, user=user).first()


def rating_list(*, template: Template) -> QuerySet[Rating]:
    return Rating.objects.filter(template=template).select_related("user").order_by("-updated_at")


def comment_threads_for(*, template_ids) -> dict[int, list[Comment]]:
    """Top-level comments per template with `.thread_replies`, in two queries for any number of templates."""
    replies = Prefetch("replies", queryset=Comment.objects.select_related("author").order_by("created_at", "id"), to_attr="thread_replies")
    threads = (
        Comment.objects.filter(template_id__in=list(template_ids), parent__isnull=True)
        .select_related("author")
        .prefetch_related(replies)
        .order_by("created_at", "id")
    )
    out: dict[int, list[Comment]] = {template_id: [] for template_id in template_ids}
    for comment in threads:
        out[comment.template_id].append(comment)
    return out


def comment_threads(*, template: Template) -> list[Comment]:
    return comment_threads_for(template_ids=[template.pk])[template.pk]


def organization_template_list(*, organization) -> QuerySet[Template]:
    return (
        Template.objects.filter(author_organization=organization).select_related("author", "latest_version").order_by("-updated_at", "-id")
    )


def comment_report_queue() -> QuerySet[Comment]:
    return (
        Comment.objects.annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .filter(open_reports__gt=0)
        .select_related("author", "template")
        .order_by("-open_reports", "created_at")
    )


def fork_list(*, organization) -> list:
    """Every flow of the organization installed from a template, with whether a newer version is available
    (no diffs: `services.fork_update_check` computes those for one flow)."""
    from apps.flows.models import Flow
    from apps.marketplace.services.forks import ForkStatus, template_installable

    with tenant_context(organization):
        flows = list(Flow.objects.filter(origin_template_id__isnull=False).order_by("-updated_at", "-id"))
    templates = Template.objects.select_related("latest_version").in_bulk({f.origin_template_id for f in flows})
    versions = TemplateVersion.objects.in_bulk({f.origin_version_id for f in flows if f.origin_version_id})
    statuses = []
    for flow in flows:
        template, installed = templates.get(flow.origin_template_id), versions.get(flow.origin_version_id)
        latest = template.latest_version if template and template_installable(template=template, organization=organization) else None
        statuses.append(
            ForkStatus(
                flow=flow,
                template=template,
                installed_version=installed,
                latest_version=latest,
                update_available=bool(latest and installed and latest.sort_key > installed.sort_key),
            )
        )
    return statuses
