"""Comments: one level of replies, edit and delete own, report once per person, soft removal by moderators."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import Comment, CommentReport, Template
from apps.marketplace.services.common import check_rate, require_person, require_staff

MAX_BODY = 5_000
MAX_REPORT_DETAILS = 500


def _clean_body(body) -> str:
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise MarketplaceError(_("Write something before sending."), code="invalid", field="body")
    if len(body) > MAX_BODY:
        raise MarketplaceError(_("Use at most %(max)s characters.") % {"max": MAX_BODY}, code="invalid", field="body")
    return body


def _refresh_count(template_id: int) -> None:
    count = Comment.objects.filter(template_id=template_id, deleted_at__isnull=True, moderated_at__isnull=True).count()
    Template.objects.filter(pk=template_id).update(comment_count=count)


def comment_create(*, template: Template, user, body: str, parent: Comment | None = None) -> Comment:
    require_person(user)
    body = _clean_body(body)
    if parent is not None:
        if parent.template_id != template.pk:
            raise MarketplaceError(_("You can only reply to a comment on this template."), code="invalid", field="parent")
        if parent.parent_id is not None:
            parent = parent.parent  # one level: a reply to a reply joins the same thread
        if parent.is_removed:
            raise MarketplaceError(_("This comment was removed; you cannot reply to it."), code="invalid", field="parent")
    check_rate(Comment.objects.filter(author=user), field="created_at", limit_setting="EZFLOW_MARKETPLACE_COMMENT_LIMIT", default=10)
    with transaction.atomic():
        comment = Comment.objects.create(template=template, parent=parent, author=user, body=body)
        _refresh_count(template.pk)
    return comment


def _own(comment: Comment, user) -> None:
    require_person(user)
    if comment.author_id != user.pk:
        raise MarketplaceError(_("You can only change your own comments."), code="permission_denied", status=403)
    if comment.is_removed:
        raise MarketplaceError(_("This comment was removed."), code="not_found", status=404)


def comment_edit(*, comment: Comment, user, body: str) -> Comment:
    _own(comment, user)
    comment.body = _clean_body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


def comment_delete(*, comment: Comment, user) -> Comment:
    """Soft: the thread keeps its shape and shows "deleted"; the text is gone."""
    _own(comment, user)
    with transaction.atomic():
        comment.deleted_at = timezone.now()
        comment.body = ""
        comment.save(update_fields=["deleted_at", "body"])
        _refresh_count(comment.template_id)
    return comment


def comment_report(*, comment: Comment, user, reason: str = CommentReport.Reason.OTHER, details: str = "") -> CommentReport:
    require_person(user)
    if reason not in CommentReport.Reason.values:
        raise MarketplaceError(_("Choose one of the options."), code="invalid", field="reason")
    if comment.author_id == user.pk:
        raise MarketplaceError(_("You cannot report your own comment."), code="invalid")
    if comment.is_removed:
        raise MarketplaceError(_("This comment was removed."), code="not_found", status=404)
    details = (details or "").strip()
    if len(details) > MAX_REPORT_DETAILS:
        raise MarketplaceError(_("Use at most %(max)s characters.") % {"max": MAX_REPORT_DETAILS}, code="invalid", field="details")
    check_rate(CommentReport.objects.filter(reporter=user), field="created_at", limit_setting="EZFLOW_MARKETPLACE_REPORT_LIMIT", default=20)
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=user, reason=reason, details=details)
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    except IntegrityError:
        raise MarketplaceError(_("You have already reported this comment. Moderators will look at it."), code="already_reported") from None
    return report


def comment_moderate(*, comment: Comment, moderator, hide: bool = True, reason: str = "") -> Comment:
    """Moderators hide (or restore) a comment; its reports are resolved either way."""
    require_staff(moderator)
    now = timezone.now()
    with transaction.atomic():
        comment.moderated_at = now if hide else None
        comment.moderated_by = moderator if hide else None
        comment.moderation_reason = (reason or "").strip()[:300] if hide else ""
        comment.save(update_fields=["moderated_at", "moderated_by", "moderation_reason"])
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=now, resolved_by=moderator)
        _refresh_count(comment.template_id)
    return comment
