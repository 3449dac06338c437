"""marketplace_load_templates publishes the shipped templates as EZFlow, idempotently, with new versions on change."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.management import call_command

from apps.accounts.models import Organization
from apps.marketplace.content import loader, shipped_templates
from apps.marketplace.models import Template, TemplateVersion
from apps.marketplace.selectors import template_search

pytestmark = pytest.mark.django_db(transaction=False)


def load(*slugs) -> str:
    out = io.StringIO()
    call_command("marketplace_load_templates", *slugs, stdout=out)
    return out.getvalue()


def test_load_publishes_every_template_once_and_is_idempotent(data):
    first = load()
    count = len(shipped_templates())
    assert f"{count} created" in first
    author = Organization.objects.get(slug=loader.AUTHOR_SLUG)
    templates = Template.objects.filter(author_organization=author)
    assert templates.count() == count
    news = templates.get(title="뉴스 모니터링: 네이버 뉴스를 슬랙으로")
    assert news.latest_version.version == "1.0.0" and news.language == "ko" and news.license == "mit"
    assert "slack_webhook" in news.latest_version.credential_types and "net.http" in news.node_types
    assert "### English: News monitoring: Naver news to Slack" in news.description and "Naver" in news.description
    assert news.author.has_usable_password() is False

    assert template_search(query="뉴스").filter(pk=news.pk).exists()
    assert template_search(query="spreadsheet").filter(title__contains="스프레드시트").exists()

    second = load()
    assert f"0 created, 0 new versions, 0 details updated, {count} unchanged" in second
    assert Template.objects.filter(author_organization=author).count() == count
    assert TemplateVersion.objects.filter(template__author_organization=author).count() == count


def test_a_changed_graph_becomes_a_new_version_and_changed_details_update_in_place(data, monkeypatch):
    slug = "csv-contact-list-cleanup"
    load(slug)
    original = next(t for t in shipped_templates() if t["slug"] == slug)

    changed = copy.deepcopy(original)
    changed["graph"]["nodes"][4]["parameters"]["fields"] = ["email", "name"]
    changed["changelog"] = {"en": "Duplicates by email and name.", "ko": "이메일과 이름으로 중복을 판단합니다."}
    monkeypatch.setattr(loader, "shipped_templates", lambda: [changed])
    assert "1 new versions" in load()
    template = Template.objects.get(title=original["title"]["en"])
    assert list(template.versions.values_list("version", flat=True)) == ["1.1.0", "1.0.0"]
    assert template.latest_version.version == "1.1.0"
    assert template.latest_version.graph["nodes"][4]["parameters"]["fields"] == ["email", "name"]
    assert "이메일과 이름" in template.latest_version.changelog

    renamed = copy.deepcopy(changed)
    renamed["summary"]["en"] = "Cleans a contact list."
    monkeypatch.setattr(loader, "shipped_templates", lambda: [renamed])
    assert "0 new versions, 1 details updated" in load()
    template.refresh_from_db()
    assert template.summary == "Cleans a contact list." and template.versions.count() == 2


def test_an_installed_template_tests_on_its_sample_input_at_once(data):
    """The 경비 청구 template: installed, its webhook step holds the shipped sample request as test data, and a test
    run gets past the expression that failed with `'dict object' has no attribute 'body'` to the credential steps."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from apps.accounts.roles import Role
    from apps.marketplace.services import template_fork
    from apps.runs.models import NodeRun
    from apps.runs.services.runs import run_create, run_execute

    load("expense-approval-request")
    template = Template.objects.get(title="경비 청구: 기준 금액 이하 자동 승인")
    sample = next(t for t in shipped_templates() if t["slug"] == "expense-approval-request")["sample_input"]
    assert template.latest_version.sample_input == sample

    organization = data.create_organization(slug="installs-expense")
    member = data.create_member(organization, role=Role.EDITOR)
    member.organization = organization
    flow = template_fork(membership=member, template=template).flow
    with tenant_context(organization):
        assert flow.draft["pinned"] == {"hook": sample}
        run = run_create(flow=flow, trigger="test", draft=True)
        run_execute(run_id=run.pk)
        steps = {n.node_id: n for n in NodeRun.objects.filter(run=run)}
        assert steps["hook"].status == "pinned" and steps["small"].status == "success", steps["small"].error
        assert "body" not in (run.__class__.objects.get(pk=run.pk).error or "")
    connection.set_schema_to_public()


def test_a_changed_sample_becomes_a_new_version(data, monkeypatch):
    slug = "new-customer-welcome-email"
    load(slug)
    changed = copy.deepcopy(next(t for t in shipped_templates() if t["slug"] == slug))
    changed["sample_input"][0]["body"]["plan"] = "프리미엄"
    monkeypatch.setattr(loader, "shipped_templates", lambda: [changed])
    assert "1 new versions" in load()
    assert Template.objects.get(title=changed["title"][changed["language"]]).latest_version.sample_input[0]["body"]["plan"] == "프리미엄"
