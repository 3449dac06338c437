"""Moderation in the platform admin: the reported-comments queue (remove or dismiss), hiding templates, withdrawing versions."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.marketplace.models import Comment, CommentReport, Template, TemplateVersion
from apps.marketplace.services import comment_create, comment_report, template_publish
from tests.marketplace.support import make_flow, membership, runnable_graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(data):
    organization = data.create_organization()
    owner = membership(data, organization)
    flow, _credential = make_flow(organization, user=owner.user, name="보고", graph=runnable_graph())
    template = template_publish(membership=owner, flow=flow, title="업무자동화 보고", summary="요약")
    connection.set_schema_to_public()
    writer, reporter = data.create_user(), data.create_user()
    spam = comment_create(template=template, user=writer, body="광고입니다 SPAM-LINK")
    fine = comment_create(template=template, user=writer, body="좋은 템플릿이에요")
    quiet = comment_create(template=template, user=writer, body="신고 없는 댓글")
    comment_report(comment=spam, user=reporter, reason="spam")
    comment_report(comment=fine, user=reporter, reason="other")
    staff = data.create_user(is_staff=True, is_superuser=True)
    return {"template": template, "spam": spam, "fine": fine, "quiet": quiet, "staff": staff, "owner": owner}


def test_queue_lists_only_comments_with_open_reports(data, reported):
    client = data.client_for(None, reported["staff"])
    page = client.get("/admin/marketplace/comment/").content.decode()
    assert "SPAM-LINK" in page and "좋은 템플릿이에요" in page and "신고 없는 댓글" not in page
    assert "신고 없는 댓글" in client.get("/admin/marketplace/comment/?queue=all").content.decode()


def test_moderator_removes_one_comment_and_dismisses_the_other(data, reported):
    client = data.client_for(None, reported["staff"])
    spam, fine = reported["spam"], reported["fine"]
    client.post("/admin/marketplace/comment/", {"action": "remove_comments", "_selected_action": [spam.pk]})
    client.post("/admin/marketplace/comment/", {"action": "dismiss_reports", "_selected_action": [fine.pk]})
    spam.refresh_from_db()
    fine.refresh_from_db()
    assert spam.moderated_at is not None and spam.moderated_by == reported["staff"]
    assert fine.moderated_at is None and fine.body == "좋은 템플릿이에요"
    assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()
    page = client.get("/admin/marketplace/comment/").content.decode()
    assert "SPAM-LINK" not in page and "좋은 템플릿이에요" not in page
    assert Template.objects.get(pk=reported["template"].pk).comment_count == 2
    detail = data.client_for(None).get(f"/marketplace/{reported['template'].pk}/").content.decode()
    assert "SPAM-LINK" not in detail and "removed by a moderator" in detail


def test_moderator_withdraws_a_version_and_hides_a_template(data, reported):
    client = data.client_for(None, reported["staff"])
    template = reported["template"]
    version = template.latest_version
    client.post("/admin/marketplace/templateversion/", {"action": "yank", "_selected_action": [version.pk]})
    version.refresh_from_db()
    template.refresh_from_db()
    assert version.yanked_at is not None and template.latest_version is None
    assert TemplateVersion.objects.filter(pk=version.pk).exists()  # never deleted
    client.post("/admin/marketplace/template/", {"action": "hide", "_selected_action": [template.pk]})
    template.refresh_from_db()
    assert template.is_hidden
    assert data.client_for(None).get(f"/marketplace/{template.pk}/").status_code == 404


def test_people_who_are_not_staff_cannot_moderate(data, reported):
    member = reported["owner"].user
    client = data.client_for(None, member)
    response = client.post("/admin/marketplace/comment/", {"action": "remove_comments", "_selected_action": [reported["spam"].pk]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Comment.objects.get(pk=reported["spam"].pk).moderated_at is None
