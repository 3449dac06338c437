import pytest

from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import CommentReport
from apps.marketplace.selectors import comment_report_queue, comment_threads, rating_summary
from apps.marketplace.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_moderate,
    comment_report,
    rating_delete,
    rating_set,
    template_publish,
)
from tests.marketplace.support import make_flow, membership, runnable_graph


@pytest.fixture
def template(data):
    org = data.create_organization(slug="rate-co")
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=runnable_graph())
    return template_publish(membership=owner, flow=flow, title="Daily report", summary="Sends a report")


def test_one_rating_per_person_editable_with_review_and_counters(data, template):
    kim, lee = data.create_user(), data.create_user()
    rating_set(template=template, user=kim, stars=5, review="좋아요")
    rating_set(template=template, user=lee, stars=2)
    edited = rating_set(template=template, user=kim, stars=4)  # editing keeps the review
    assert edited.review == "좋아요" and template.ratings.count() == 2
    template.refresh_from_db()
    assert (template.rating_count, template.rating_sum, template.rating_average) == (2, 6, 3.0)
    assert rating_summary(template=template) == {"average": 3.0, "count": 2, "distribution": {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}}
    for stars in (0, 6, "5", True, None):
        with pytest.raises(MarketplaceError) as error:
            rating_set(template=template, user=kim, stars=stars)
        assert error.value.field == "stars"
    rating_delete(template=template, user=lee)
    template.refresh_from_db()
    assert (template.rating_count, template.rating_average) == (1, 4.0)


def test_rating_rate_limit_per_person(data, template, settings):
    settings.EZFLOW_MARKETPLACE_RATING_LIMIT = 1
    kim = data.create_user()
    org = template.author_organization
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, name="Second", graph=runnable_graph())
    other = template_publish(membership=owner, flow=flow, title="Second", summary="Another")
    rating_set(template=template, user=kim, stars=5)
    rating_set(template=template, user=kim, stars=4)  # editing the same rating is not another rating
    with pytest.raises(MarketplaceError) as error:
        rating_set(template=other, user=kim, stars=3)
    assert error.value.code == "rate_limited" and error.value.status == 429
    rating_set(template=other, user=data.create_user(), stars=3)  # per person


def test_comments_thread_one_level_edit_delete_report_and_moderate(data, template, settings):
    kim, lee, staff = data.create_user(), data.create_user(), data.create_user(is_staff=True)
    question = comment_create(template=template, user=kim, body="Does it work with Naver mail?")
    answer = comment_create(template=template, user=lee, body="Yes", parent=question)
    nested = comment_create(template=template, user=kim, body="Thanks", parent=answer)
    assert nested.parent_id == question.pk  # one level only
    threads = comment_threads(template=template)
    assert [c.pk for c in threads] == [question.pk] and [r.pk for r in threads[0].thread_replies] == [answer.pk, nested.pk]

    with pytest.raises(MarketplaceError) as error:
        comment_edit(comment=answer, user=kim, body="hijack")
    assert error.value.code == "permission_denied"
    edited = comment_edit(comment=question, user=kim, body="Does it work with Naver Works?")
    assert edited.edited_at and edited.body.endswith("Works?")
    with pytest.raises(MarketplaceError) as error:
        comment_create(template=template, user=kim, body="   ")
    assert error.value.field == "body"

    report = comment_report(comment=answer, user=kim, reason="spam")
    with pytest.raises(MarketplaceError) as error:
        comment_report(comment=answer, user=kim, reason="spam")
    assert error.value.code == "already_reported"
    with pytest.raises(MarketplaceError):
        comment_report(comment=answer, user=lee)  # own comment
    assert list(comment_report_queue()) == [answer]
    with pytest.raises(MarketplaceError) as error:
        comment_moderate(comment=answer, moderator=kim)
    assert error.value.code == "permission_denied"
    comment_moderate(comment=answer, moderator=staff, reason="spam")
    answer.refresh_from_db()
    report.refresh_from_db()
    assert answer.moderated_at and answer.body == "Yes" and report.resolved_by == staff  # soft: kept for the record
    assert not comment_report_queue().exists() and CommentReport.objects.count() == 1

    comment_delete(comment=question, user=kim)
    question.refresh_from_db()
    assert question.deleted_at and question.body == ""
    template.refresh_from_db()
    assert template.comment_count == 1  # only "Thanks" is still shown
    with pytest.raises(MarketplaceError):
        comment_create(template=template, user=lee, body="late", parent=question)


def test_comment_rate_limit_per_person(data, template, settings):
    settings.EZFLOW_MARKETPLACE_COMMENT_LIMIT = 2
    kim = data.create_user()
    comment_create(template=template, user=kim, body="one")
    comment_create(template=template, user=kim, body="two")
    with pytest.raises(MarketplaceError) as error:
        comment_create(template=template, user=kim, body="three")
    assert error.value.code == "rate_limited"
    comment_create(template=template, user=data.create_user(), body="someone else")


def test_long_report_details_are_refused_not_cut_and_reports_are_rate_limited(data, template, settings):
    settings.EZFLOW_MARKETPLACE_REPORT_LIMIT = 2
    settings.EZFLOW_MARKETPLACE_COMMENT_LIMIT = 10
    author, reporter = data.create_user(), data.create_user()
    comments = [comment_create(template=template, user=author, body=f"comment {i}") for i in range(3)]
    with pytest.raises(MarketplaceError) as error:
        comment_report(comment=comments[0], user=reporter, reason="other", details="x" * 501)
    assert error.value.field == "details" and not CommentReport.objects.exists()
    comment_report(comment=comments[0], user=reporter, details="  광고입니다  ")
    assert CommentReport.objects.get().details == "광고입니다"
    comment_report(comment=comments[1], user=reporter)
    with pytest.raises(MarketplaceError) as error:
        comment_report(comment=comments[2], user=reporter)
    assert error.value.code == "rate_limited" and CommentReport.objects.count() == 2
