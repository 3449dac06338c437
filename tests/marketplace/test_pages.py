"""Marketplace pages through the Django test client: public browsing, member actions, viewers, isolation, bad input."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from apps.accounts.roles import Role
from apps.flows.models import Flow
from apps.marketplace.models import Comment, Rating, Template, TemplateInstall, Visibility
from apps.marketplace.services import template_publish, template_version_publish
from tests.marketplace.support import PLANTED_SECRET, make_flow, membership, runnable_graph, seed_templates

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(data):
    """Organization A publishes "업무자동화 주간 보고" (v1.0.0); B is another organization with an owner and a viewer."""
    org_a, org_b = data.create_organization(), data.create_organization()
    owner_a, owner_b = membership(data, org_a), membership(data, org_b)
    flow, _credential = make_flow(org_a, user=owner_a.user, name="주간 보고", graph=runnable_graph("v1"))
    template = template_publish(
        membership=owner_a,
        flow=flow,
        title="업무자동화 주간 보고",
        summary="매주 보고서를 자동으로 만듭니다.",
        description="## 사용법\n\n**굵게** <script>alert(1)</script>",
        category="productivity",
        tags=["보고", "report"],
        changelog="첫 버전",
    )
    connection.set_schema_to_public()
    return {"a": org_a, "b": org_b, "owner_a": owner_a, "owner_b": owner_b, "flow_a": flow, "template": template}


def text(response) -> str:
    return response.content.decode()


def test_public_host_lists_templates_anonymously_and_offers_no_actions(data, world):
    client = data.client_for(None)
    page = client.get("/marketplace/?q=자동화")
    assert page.status_code == 200
    assert "업무자동화 주간 보고" in text(page)
    assert 'data-testid="public-note"' in text(page)

    detail = client.get(f"/marketplace/{world['template'].pk}/")
    body = text(detail)
    assert detail.status_code == 200
    assert "<strong>굵게</strong>" in body and "<script>alert(1)</script>" not in body
    assert 'data-testid="preview-node"' in body and 'data-testid="use-template"' not in body and "comment-form" not in body
    assert client.post(f"/marketplace/{world['template'].pk}/rate/", {"stars": 5}).status_code == 404
    assert client.get("/marketplace/mine/").status_code == 404


def test_browse_filters_sorts_and_paginates_with_clear_errors_for_bad_input(data, world):
    seed_templates(world["a"], world["owner_a"].user, 14, title="Slack notice {i}", category="marketing", language="en")
    client = data.client_for(world["b"], world["owner_b"].user)
    first = client.get("/marketplace/?category=marketing&sort=newest")
    assert first.status_code == 200
    assert text(first).count('data-testid="template-card"') == 12 and 'data-testid="next-page"' in text(first)
    second = client.get("/marketplace/?category=marketing&sort=newest&page=2")
    assert text(second).count('data-testid="template-card"') == 2
    assert "업무자동화" not in text(first) + text(second)
    assert "업무자동화 주간 보고" in text(client.get("/marketplace/?tag=report"))
    assert "업무자동화 주간 보고" not in text(client.get("/marketplace/?language=en"))
    bad = client.get("/marketplace/?sort=bogus&category=nope&page=-3")
    assert bad.status_code == 400
    assert "Select a valid choice" in text(bad)
    assert client.get("/marketplace/?page=999").status_code == 200  # past the end: the last page, not an error


def test_member_rates_reviews_and_comments_then_edits_and_deletes_own_comment(data, world):
    template = world["template"]
    client = data.client_for(world["b"], world["owner_b"].user)
    response = client.post(f"/marketplace/{template.pk}/rate/", {"stars": "4", "review": "유용해요"})
    assert response.status_code == 302 and response["Location"].endswith("#ratings")
    assert Rating.objects.get(template=template).stars == 4
    client.post(f"/marketplace/{template.pk}/rate/", {"stars": "5", "review": "정말 유용해요"})
    assert Rating.objects.get(template=template).stars == 5
    detail = text(client.get(f"/marketplace/{template.pk}/"))
    assert "정말 유용해요" in detail and 'data-testid="rating-average">5.0<' in detail
    public = text(data.client_for(None).get(f"/marketplace/{template.pk}/"))
    assert "정말 유용해요" in public and world["owner_b"].user.email not in public  # people show by name, never by email

    client.post(f"/marketplace/{template.pk}/comments/", {"body": "질문이 있어요"})
    comment = Comment.objects.get(template=template)
    client.post(f"/marketplace/{template.pk}/comments/", {"body": "답변입니다", "parent": comment.pk})
    assert Comment.objects.get(parent=comment).body == "답변입니다"
    client.post(f"/marketplace/comments/{comment.pk}/edit/", {"body": "질문을 고쳤어요"})
    comment.refresh_from_db()
    assert comment.body == "질문을 고쳤어요" and comment.edited_at is not None
    client.post(f"/marketplace/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert "deleted by its author" in text(client.get(f"/marketplace/{template.pk}/"))


def test_someone_else_cannot_edit_a_comment_but_can_report_it_once(data, world):
    template = world["template"]
    author = data.client_for(world["b"], world["owner_b"].user)
    author.post(f"/marketplace/{template.pk}/comments/", {"body": "원래 글"})
    comment = Comment.objects.get(template=template)
    other = data.client_for(world["a"], world["owner_a"].user)
    response = other.post(f"/marketplace/comments/{comment.pk}/edit/", {"body": "바꿔치기"}, follow=True)
    assert "only change your own comments" in text(response)
    comment.refresh_from_db()
    assert comment.body == "원래 글"
    other.post(f"/marketplace/comments/{comment.pk}/report/", {"reason": "spam"})
    again = other.post(f"/marketplace/comments/{comment.pk}/report/", {"reason": "spam"}, follow=True)
    assert "already reported" in text(again)
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_bad_rating_and_empty_comment_are_refused_with_a_message(data, world):
    template = world["template"]
    client = data.client_for(world["b"], world["owner_b"].user)
    response = client.post(f"/marketplace/{template.pk}/rate/", {"stars": "9"}, follow=True)
    assert "Choose from 1 to 5 stars." in text(response)
    response = client.post(f"/marketplace/{template.pk}/comments/", {"body": "   "}, follow=True)
    assert "Write a comment" in text(response)
    assert not Rating.objects.exists() and not Comment.objects.exists()


def test_editor_uses_a_template_and_is_led_to_the_credentials(data, world):
    org_a, owner_a = world["a"], world["owner_a"]
    flow, _credential = make_flow(org_a, user=owner_a.user, name="Slack 알림")
    slack = template_publish(membership=owner_a, flow=flow, title="슬랙 알림", summary="알림", category="it")
    connection.set_schema_to_public()
    editor = membership(data, world["b"], Role.EDITOR)
    client = data.client_for(world["b"], editor.user)
    form = client.get(f"/marketplace/{slack.pk}/use/")
    assert form.status_code == 200 and "Slack incoming webhook" in text(form)
    response = client.post(f"/marketplace/{slack.pk}/use/", {"version": slack.latest_version.pk, "name": "우리 슬랙 알림"})
    assert response.status_code == 302
    install = TemplateInstall.objects.get(template=slack)
    assert response["Location"] == f"/marketplace/installed/{install.flow_id}/"
    with tenant_context(world["b"]):
        installed = Flow.objects.get(pk=install.flow_id)
        assert installed.name == "우리 슬랙 알림" and PLANTED_SECRET not in str(installed.draft)
    page = text(client.get(response["Location"]))
    assert "Slack incoming webhook" in page and f"/flows/{install.flow_id}/edit/" in page


def test_viewer_can_rate_but_cannot_install_or_publish(data, world):
    viewer = membership(data, world["b"], Role.VIEWER)
    client = data.client_for(world["b"], viewer.user)
    template = world["template"]
    detail = text(client.get(f"/marketplace/{template.pk}/"))
    assert 'data-testid="viewer-note"' in detail and 'data-testid="use-template"' not in detail
    for response in (
        client.get(f"/marketplace/{template.pk}/use/"),
        client.post(f"/marketplace/{template.pk}/use/", {"version": template.latest_version.pk}),
        client.get("/marketplace/publish/"),
    ):
        assert response.status_code == 403
        assert "only editors, admins and owners can publish or install" in text(response)
    assert not TemplateInstall.objects.exists()
    client.post(f"/marketplace/{template.pk}/rate/", {"stars": "3"})
    assert Rating.objects.get(template=template, user=viewer.user).stars == 3


def test_publish_wizard_previews_what_is_shared_and_removed_then_publishes(data, world):
    org_a, owner_a = world["a"], world["owner_a"]
    flow, _credential = make_flow(org_a, user=owner_a.user, name="CRM 연동")
    connection.set_schema_to_public()
    client = data.client_for(org_a, owner_a.user)
    choose = text(client.get("/marketplace/publish/"))
    assert "CRM 연동" in choose
    preview = client.get(f"/marketplace/publish/{flow.pk}/")
    body = text(preview)
    assert preview.status_code == 200
    assert PLANTED_SECRET not in body
    removed = re.findall(r'data-testid="removed-item"', body)
    assert len(removed) >= 4  # credential x2, webhook secret, header, password in the address, pinned data
    assert "test data" in body and "credential choice" in body
    assert "a password, key or token typed into a setting" in body and "<code>headers.Authorization</code>" in body

    missing = client.post(f"/marketplace/publish/{flow.pk}/", {"mode": "new", "title": "", "version": "1.0.0", "category": "it"})
    assert missing.status_code == 400 and "This field is required." in text(missing)
    bad_version = client.post(
        f"/marketplace/publish/{flow.pk}/",
        {"mode": "new", "title": "CRM 연동", "summary": "요약", "version": "one", "category": "it", "language": "ko"}
        | {"license": "mit", "visibility": "public", "tags": "crm, 연동"},
    )
    assert bad_version.status_code == 400 and "three numbers" in text(bad_version)
    assert 'value="CRM 연동"' in text(bad_version)  # nothing typed is lost
    done = client.post(
        f"/marketplace/publish/{flow.pk}/",
        {"mode": "new", "title": "CRM 연동", "summary": "요약", "version": "1.0.0", "category": "it", "language": "ko"}
        | {"license": "mit", "visibility": "public", "tags": "crm, 연동", "changelog": "처음"},
    )
    template = Template.objects.get(title="CRM 연동")
    assert done.status_code == 302 and done["Location"] == f"/marketplace/{template.pk}/"
    assert template.tags == ["crm", "연동"] and PLANTED_SECRET not in str(template.latest_version.graph)


def test_new_version_from_the_wizard_then_fork_shows_update_available_and_updates(data, world):
    org_a, owner_a, template, flow_a = world["a"], world["owner_a"], world["template"], world["flow_a"]
    client_b = data.client_for(world["b"], world["owner_b"].user)
    client_b.post(f"/marketplace/{template.pk}/use/", {"version": template.latest_version.pk})
    fork_id = TemplateInstall.objects.get(template=template, organization=world["b"]).flow_id
    assert 'data-testid="up-to-date"' in text(client_b.get("/marketplace/mine/"))

    with tenant_context(org_a):
        from apps.flows.services.flows import flow_update

        flow_update(flow=flow_a, graph=runnable_graph("v2"))
    connection.set_schema_to_public()
    client_a = data.client_for(org_a, owner_a.user)
    wrong = client_a.post(f"/marketplace/publish/{flow_a.pk}/", {"mode": "version", "template": template.pk, "version": "1.0.0"})
    assert wrong.status_code == 400 and "greater than 1.0.0" in text(wrong)
    client_a.post(
        f"/marketplace/publish/{flow_a.pk}/",
        {"mode": "version", "template": template.pk, "version": "2.0.0", "changelog": "인사말 변경", "category": "other"}
        | {"language": "ko", "license": "cc-by", "visibility": "public"},
    )
    template.refresh_from_db()
    assert template.latest_version.version == "2.0.0"

    mine = text(client_b.get("/marketplace/mine/"))
    assert 'data-testid="update-available"' in mine
    review = text(client_b.get(f"/marketplace/forks/{fork_id}/"))
    assert "인사말 변경" in review and "v2" in review
    updated = client_b.post(f"/marketplace/forks/{fork_id}/update/")
    assert updated.status_code == 200 and 'data-testid="fork-updated"' in text(updated)
    with tenant_context(world["b"]):
        assert "v2" in str(Flow.objects.get(pk=fork_id).draft)
    assert 'data-testid="up-to-date"' in text(client_b.get("/marketplace/mine/"))
    version_page = text(client_b.get(f"/marketplace/{template.pk}/versions/{template.latest_version.pk}/"))
    assert "Changes since 1.0.0" in version_page and "v2" in version_page


def test_other_organizations_cannot_see_private_templates_forks_or_flows(data, world):
    org_a, owner_a = world["a"], world["owner_a"]
    flow, _credential = make_flow(org_a, user=owner_a.user, name="내부 전용")
    private = template_publish(
        membership=owner_a, flow=flow, title="내부 전용 템플릿", summary="우리만", visibility=Visibility.ORGANIZATION
    )
    connection.set_schema_to_public()
    client_b = data.client_for(world["b"], world["owner_b"].user)
    assert "내부 전용 템플릿" not in text(client_b.get("/marketplace/?q=내부"))
    assert client_b.get(f"/marketplace/{private.pk}/").status_code == 404
    assert client_b.get(f"/marketplace/{private.pk}/use/").status_code == 404
    assert client_b.get(f"/marketplace/publish/{flow.pk}/").status_code == 404  # A's flow id means nothing on B's host
    assert client_b.get(f"/marketplace/forks/{flow.pk}/").status_code == 404
    version = private.latest_version
    assert client_b.post(f"/marketplace/versions/{version.pk}/yank/").status_code == 404
    client_a = data.client_for(org_a, owner_a.user)
    assert "내부 전용 템플릿" in text(client_a.get("/marketplace/?q=내부"))
    # A session of organization A is not honoured on B's host.
    crossed = data.client_for(world["b"])
    crossed.force_login(owner_a.user, backend="django.contrib.auth.backends.ModelBackend")
    assert crossed.get("/marketplace/mine/").status_code in (302, 404)


def test_author_withdraws_a_version_and_it_can_no_longer_be_installed(data, world):
    template, owner_a = world["template"], world["owner_a"]
    with tenant_context(world["a"]):
        from apps.flows.services.flows import flow_update

        flow_update(flow=world["flow_a"], graph=runnable_graph("v2"))
    v2 = template_version_publish(membership=owner_a, template=template, flow=world["flow_a"], version="1.1.0")
    connection.set_schema_to_public()
    client_a = data.client_for(world["a"], owner_a.user)
    client_a.post(f"/marketplace/versions/{v2.pk}/yank/", {"reason": "버그가 있어요"})
    v2.refresh_from_db()
    assert v2.is_yanked and v2.yanked_reason == "버그가 있어요"
    client_b = data.client_for(world["b"], world["owner_b"].user)
    form = text(client_b.get(f"/marketplace/{template.pk}/use/"))
    assert "1.1.0" not in form and "1.0.0" in form
    refused = client_b.post(f"/marketplace/{template.pk}/use/", {"version": v2.pk})
    assert refused.status_code == 400 and "Select a valid choice" in text(refused)


def test_pages_speak_korean(data, world):
    client = data.client_for(world["b"], world["owner_b"].user)
    client.cookies["django_language"] = "ko"
    page = text(client.get(f"/marketplace/{world['template'].pk}/", HTTP_ACCEPT_LANGUAGE="ko"))
    assert "평점과 리뷰" in page and "이 템플릿 사용하기" in page


def test_a_shipped_template_installs_and_its_variables_are_filled_on_the_installed_page(data, world):
    from django.core.management import call_command

    from apps.flows.models import Variable

    call_command("marketplace_load_templates", "naver-news-monitoring-to-slack", stdout=io.StringIO())
    news = Template.objects.get(title="뉴스 모니터링: 네이버 뉴스를 슬랙으로")
    client = data.client_for(world["b"], world["owner_b"].user)
    assert "뉴스 모니터링" in text(client.get("/marketplace/?q=뉴스"))
    detail = text(client.get(f"/marketplace/{news.pk}/"))
    assert "vars.naver_client_id" in detail and "vars.news_keyword" in detail and "Slack incoming webhook" in detail
    installed = client.post(f"/marketplace/{news.pk}/use/", {"version": news.latest_version.pk})
    page = text(client.get(installed["Location"]))
    assert "vars.naver_client_id" in page and "vars.news_keyword" in page and "Slack incoming webhook" in page
    assert 'placeholder="이지플로우"' in page and "What to search for" in page  # example and help from the shipped file
    bad = client.post(installed["Location"], {"var-naver_client_id": "client-1", "var-news_keyword": "x" * 10_001})
    assert bad.status_code == 400 and "10,000 characters" in text(bad) and 'value="client-1"' in text(bad)
    saved = client.post(installed["Location"], {"var-naver_client_id": "client-1", "var-news_keyword": "이지플로우"})
    assert saved.status_code == 302
    with tenant_context(world["b"]):
        assert dict(Variable.objects.values_list("name", "value")) == {"naver_client_id": "client-1", "news_keyword": "이지플로우"}
    viewer = data.client_for(world["b"], membership(data, world["b"], Role.VIEWER).user)
    assert viewer.post(installed["Location"], {"var-news_keyword": "hijack"}).status_code == 403
    with tenant_context(world["b"]):
        assert Variable.objects.get(name="news_keyword").value == "이지플로우"


def test_update_shows_conflicts_when_both_sides_changed_the_same_setting(data, world):
    from apps.flows.services.flows import flow_update

    template, owner_a = world["template"], world["owner_a"]
    client_b = data.client_for(world["b"], world["owner_b"].user)
    client_b.post(f"/marketplace/{template.pk}/use/", {"version": template.latest_version.pk})
    fork_id = TemplateInstall.objects.get(template=template, organization=world["b"]).flow_id
    with tenant_context(world["b"]):
        fork = Flow.objects.get(pk=fork_id)
        flow_update(flow=fork, graph=runnable_graph("ours"))
    with tenant_context(world["a"]):
        flow_update(flow=world["flow_a"], graph=runnable_graph("theirs"))
    template_version_publish(membership=owner_a, template=template, flow=world["flow_a"], version="1.1.0", changelog="문구 변경")
    connection.set_schema_to_public()

    review = text(client_b.get(f"/marketplace/forks/{fork_id}/"))
    assert 'data-testid="conflict-list"' in review
    assert "ours {{ json.name }}" in review and "theirs {{ json.name }}" in review
    updated = client_b.post(f"/marketplace/forks/{fork_id}/update/")
    assert updated.status_code == 200 and 'data-testid="conflict-list"' in text(updated)
    with tenant_context(world["b"]):
        assert "ours" in str(Flow.objects.get(pk=fork_id).draft)  # the organization's value is kept
    again = client_b.post(f"/marketplace/forks/{fork_id}/update/", follow=True)
    assert "already up to date" in text(again)


def test_anonymous_visitor_of_an_organization_host_can_read_and_is_asked_to_sign_in(data, world):
    client = data.client_for(world["b"])
    page = text(client.get(f"/marketplace/{world['template'].pk}/"))
    assert 'data-testid="public-note"' in page and "/login/?next=" in page
    assert 'data-testid="viewer-note"' not in page and 'data-testid="rating-form"' not in page
    response = client.post(f"/marketplace/{world['template'].pk}/rate/", {"stars": "5"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Rating.objects.exists()


def test_browse_and_detail_queries_do_not_grow_with_the_data(data, world):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    client = data.client_for(world["b"], world["owner_b"].user)

    def count(path):
        client.get(path)  # warm caches (sessions, node registry)
        with CaptureQueriesContext(conn) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    seed_templates(world["a"], world["owner_a"].user, 3, title="Few {i}", category="sales")
    few = count("/marketplace/?category=sales")
    seed_templates(world["a"], world["owner_a"].user, 9, title="Many {i}", category="sales")
    assert count("/marketplace/?category=sales") == few
    template = world["template"]

    def add_people(n, stem):
        for i in range(n):
            person = data.create_user(name=f"{stem} {i}")
            Rating.objects.create(template=template, user=person, stars=4, review=f"좋아요 {i}")
            top = Comment.objects.create(template=template, author=person, body=f"댓글 {i}")
            Comment.objects.create(template=template, author=person, body=f"답글 {i}", parent=top)

    add_people(1, "첫")
    before = count(f"/marketplace/{template.pk}/")
    add_people(6, "리뷰어")
    assert count(f"/marketplace/{template.pk}/") == before


def test_templates_in_the_readers_language_come_first_and_changelogs_are_markdown(data, world):
    owner_a = world["owner_a"]
    flow, _credential = make_flow(world["a"], user=owner_a.user, name="Weekly report", graph=runnable_graph("en"))
    english = template_publish(
        membership=owner_a,
        flow=flow,
        title="Weekly report in English",
        summary="Builds the weekly report.",
        description="How to use it.",
        category="productivity",
        tags=["report"],
        changelog="**First** version\n\n- one\n- two",
    )
    connection.set_schema_to_public()
    Template.objects.filter(pk=english.pk).update(language="en", install_count=0)
    Template.objects.filter(pk=world["template"].pk).update(language="ko", install_count=0)
    client = data.client_for(None)

    def order(language):
        page = text(client.get("/marketplace/", HTTP_ACCEPT_LANGUAGE=language))
        return page.index("Weekly report in English") < page.index("업무자동화 주간 보고")

    assert order("en") is True
    assert order("ko") is False
    detail = text(client.get(f"/marketplace/{english.pk}/"))
    assert "<strong>First</strong> version" in detail and "<li>one</li>" in detail


def test_publish_wizard_warns_about_internal_addresses_and_names_removed_test_data_in_words(data, world):
    from apps.marketplace.services.publishing import internal_addresses

    graph = {
        "nodes": [
            {"id": "a", "name": "사내 API", "parameters": {"url": "http://127.0.0.1:8080/orders", "note": "see https://example.com"}},
            {"id": "b", "name": "NAS", "parameters": {"body": {"host": "nas.corp"}, "list": ["ping 192.168.0.10 now"]}},
            {"id": "c", "name": "Public", "parameters": {"url": "https://api.example.com/v1", "ip": "8.8.8.8", "x": "{{ json.url }}"}},
            {"id": "d", "name": "IPv6", "parameters": {"url": "http://[::1]:9000/", "version": "1.2.3"}},
        ]
    }
    assert internal_addresses(graph) == [
        {"node_name": "사내 API", "address": "http://127.0.0.1:8080/orders"},
        {"node_name": "NAS", "address": "nas.corp"},
        {"node_name": "NAS", "address": "192.168.0.10"},
        {"node_name": "IPv6", "address": "http://[::1]:9000/"},
    ]

    org_a, owner_a = world["a"], world["owner_a"]
    flow, _credential = make_flow(org_a, user=owner_a.user, name="사내 연동")
    with tenant_context(org_a):
        draft = flow.draft
        draft["nodes"][0].setdefault("parameters", {})["note"] = "http://10.0.0.5/hook"
        Flow.objects.filter(pk=flow.pk).update(draft=draft)
    connection.set_schema_to_public()
    body = text(data.client_for(org_a, owner_a.user).get(f"/marketplace/publish/{flow.pk}/", HTTP_ACCEPT_LANGUAGE="ko"))
    assert 'data-testid="internal-addresses"' in body and "http://10.0.0.5/hook" in body
    assert "고정한 테스트 데이터" in body and "<code>pinned</code>" not in body
