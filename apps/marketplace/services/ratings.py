"""Ratings: one per person per template, editable, with an optional review; counters kept on the template."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import Rating, Template
from apps.marketplace.services.common import check_rate, require_person

MAX_REVIEW = 5_000


def _refresh_counters(template_id: int) -> None:
    totals = Rating.objects.filter(template_id=template_id).aggregate(count=Count("id"), total=Sum("stars"))
    count, total = totals["count"] or 0, totals["total"] or 0
    Template.objects.filter(pk=template_id).update(
        rating_count=count, rating_sum=total, rating_average=round(total / count, 3) if count else 0.0
    )


def rating_set(*, template: Template, user, stars, review: str | None = None) -> Rating:
    """Creates or edits the person's rating. `review=None` keeps the review they wrote before."""
    require_person(user)
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise MarketplaceError(_("Choose from 1 to 5 stars."), code="invalid", field="stars")
    if review is not None and len(review) > MAX_REVIEW:
        raise MarketplaceError(_("Use at most %(max)s characters.") % {"max": MAX_REVIEW}, code="invalid", field="review")
    check_rate(
        Rating.objects.filter(user=user).exclude(template=template),
        field="updated_at",
        limit_setting="EZFLOW_MARKETPLACE_RATING_LIMIT",
        default=20,
    )
    with transaction.atomic():
        Template.objects.select_for_update().filter(pk=template.pk).first()  # serialises counter updates
        rating = Rating.objects.filter(template=template, user=user).first()
        if rating is None:
            rating = Rating(template=template, user=user)
        rating.stars = stars
        if review is not None:
            rating.review = review.strip()
        rating.save()
        _refresh_counters(template.pk)
    return rating


def rating_delete(*, template: Template, user) -> None:
    require_person(user)
    with transaction.atomic():
        Template.objects.select_for_update().filter(pk=template.pk).first()
        Rating.objects.filter(template=template, user=user).delete()
        _refresh_counters(template.pk)
