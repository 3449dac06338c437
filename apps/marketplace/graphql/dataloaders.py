"""Per-request loaders: every relation of a page of templates is fetched once for the whole page.

Resolvers are synchronous, so instead of promise batching the connection resolver *primes* the loader with the ids
of the page; the first resolver that needs, say, rating distributions loads them for every primed template at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from apps.marketplace.models import Rating, TemplateVersion
from apps.marketplace.selectors import comment_threads_for, rating_distributions


class Loaders:
    def __init__(self, request):
        self.request = request
        self.template_ids: set[int] = set()
        self._cache: dict[str, dict] = {}

    def prime(self, templates: Iterable) -> None:
        self.template_ids.update(t.pk for t in templates)

    def _load(self, name: str, template_id: int, fetch: Callable[[list[int]], dict], default=None):
        cache = self._cache.setdefault(name, {})
        if template_id not in cache:
            missing = sorted((self.template_ids | {template_id}) - cache.keys())
            found = fetch(missing)
            for key in missing:
                cache[key] = found.get(key, default() if callable(default) else default)
        return cache[template_id]

    def rating_distribution(self, template_id: int) -> dict[int, int]:
        return self._load("distribution", template_id, lambda ids: rating_distributions(template_ids=ids))

    def versions(self, template_id: int) -> list[TemplateVersion]:
        def fetch(ids):
            out: dict[int, list] = {}
            for version in TemplateVersion.objects.filter(template_id__in=ids).order_by("template_id", "-major", "-minor", "-patch"):
                out.setdefault(version.template_id, []).append(version)
            return out

        return self._load("versions", template_id, fetch, default=list)

    def comments(self, template_id: int) -> list:
        return self._load("comments", template_id, lambda ids: comment_threads_for(template_ids=ids), default=list)

    def reviews(self, template_id: int) -> list[Rating]:
        def fetch(ids):
            out: dict[int, list] = {}
            for rating in (
                Rating.objects.filter(template_id__in=ids).exclude(review="").select_related("user").order_by("-updated_at", "-id")
            ):
                out.setdefault(rating.template_id, []).append(rating)
            return out

        return self._load("reviews", template_id, fetch, default=list)

    def forks(self, template_id: int) -> list:
        """Public templates published from installs of this one, newest first."""
        from apps.marketplace.models import Template, Visibility

        def fetch(ids):
            out: dict[int, list] = {}
            forks = Template.objects.filter(forked_from_id__in=ids, visibility=Visibility.PUBLIC, is_hidden=False)
            for fork in forks.select_related("author", "author_organization").defer("search_text", "search_vector", "description"):
                out.setdefault(fork.forked_from_id, []).append(fork)
            return {key: sorted(value, key=lambda t: (t.created_at, t.pk), reverse=True) for key, value in out.items()}

        return self._load("forks", template_id, fetch, default=list)

    def my_rating(self, template_id: int) -> Rating | None:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self._load(
            "my_rating", template_id, lambda ids: {r.template_id: r for r in Rating.objects.filter(user=user, template_id__in=ids)}
        )


def loaders(info) -> Loaders:
    request = info.context
    existing = getattr(request, "_marketplace_loaders", None)
    if existing is None:
        existing = request._marketplace_loaders = Loaders(request)
    return existing
