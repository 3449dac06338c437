import json

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import Template, TemplateVersion
from apps.marketplace.services import template_publish, template_publish_preview, template_version_publish, template_version_yank
from tests.marketplace.support import PLANTED_PIN, PLANTED_SECRET, PLANTED_TOKEN, make_flow, membership, runnable_graph


@pytest.fixture
def org(data):
    return data.create_organization(slug="pub-co")


def publish(owner, flow, **extra):
    fields = {"title": "주문 알림 업무자동화", "summary": "Tell the team about new orders", "category": "sales", "tags": ["Slack", "주문"]}
    return template_publish(membership=owner, flow=flow, **{**fields, **extra})


def test_preview_lists_what_is_removed_and_publishing_shares_no_secret(data, org):
    owner = membership(data, org)
    flow, credential = make_flow(org, user=owner.user)
    preview = template_publish_preview(flow=flow)
    removed = {(r["node_id"], r["path"], r["kind"]) for r in preview.removed}
    assert removed == {
        ("hook", "pinned", "pinned"),
        ("hook", "parameters.secret", "secret"),
        ("call", "parameters.credential", "credential"),
        ("call", "parameters.headers.Authorization", "header"),
        ("call", "parameters.url", "secret"),
        ("slack", "parameters.credential", "credential"),
    }
    assert preview.credential_types == ["http_bearer", "slack_webhook"]
    assert preview.node_types == ["data.set", "net.http", "net.slack", "trigger.webhook"]
    shared = json.dumps(preview.graph, ensure_ascii=False)
    for planted in (PLANTED_SECRET, PLANTED_TOKEN, PLANTED_PIN, f'"{credential.pk}"'):
        assert planted not in shared
    assert "안녕하세요" in shared and "https://crm.example/api" in shared and "application/json" in shared

    template = publish(owner, flow)
    version = template.latest_version
    assert version.version == "1.0.0" and version.graph == preview.graph
    assert template.tags == ["slack", "주문"] and template.node_types == preview.node_types
    stored = json.dumps(list(TemplateVersion.objects.values()) + list(Template.objects.values()), default=str, ensure_ascii=False)
    assert PLANTED_SECRET not in stored and PLANTED_PIN not in stored and PLANTED_TOKEN not in stored
    template.refresh_from_db()
    assert "업무자동화" in template.search_text and template.search_vector


def test_details_are_checked_all_at_once_and_viewers_cannot_publish(data, org):
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user)
    with pytest.raises(MarketplaceError) as error:
        publish(owner, flow, title="", category="nope", tags=["x" * 41])
    assert error.value.code == "invalid" and set(error.value.extra["fields"]) == {"title", "category", "tags"}
    with pytest.raises(MarketplaceError) as error:
        publish(owner, flow, version="1.0")
    assert error.value.field == "version"
    viewer = membership(data, org, role=Role.VIEWER)
    with pytest.raises(MarketplaceError) as error:
        publish(viewer, flow)
    assert error.value.code == "permission_denied"
    invalid, _ = make_flow(org, user=owner.user, name="Broken", graph={"nodes": [{"id": "x", "type": "nope"}], "edges": []})
    with pytest.raises(MarketplaceError) as error:
        publish(owner, invalid)
    assert error.value.code == "invalid_flow" and error.value.extra["problems"]
    assert not Template.objects.exists()


def test_versions_are_immutable_increase_and_can_be_yanked_not_deleted(data, org):
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=runnable_graph("v1"))
    template = publish(owner, flow)
    first = template.latest_version
    from apps.flows.services.flows import flow_update

    connection.set_tenant(org)
    flow_update(flow=flow, graph=runnable_graph("v2"))
    connection.set_schema_to_public()
    for bad in ("1.0.0", "0.9.9"):
        with pytest.raises(MarketplaceError) as error:
            template_version_publish(membership=owner, template=template, flow=flow, version=bad)
        assert error.value.code == "version_not_greater"
    second = template_version_publish(membership=owner, template=template, flow=flow, version="1.1.0", changelog="Says v2")
    first.refresh_from_db()
    assert "v1" in json.dumps(first.graph) and "v2" in json.dumps(second.graph)  # v1 kept as it was published
    template.refresh_from_db()
    assert template.latest_version == second

    other_org = data.create_organization(slug="pub-other")
    with pytest.raises(MarketplaceError) as error:
        template_version_yank(membership=membership(data, other_org), version=second)
    assert error.value.code == "permission_denied"
    with pytest.raises(MarketplaceError) as error:
        template_version_yank(membership=owner, version=second, reason="x" * 301)
    assert error.value.field == "reason" and not TemplateVersion.objects.get(pk=second.pk).is_yanked
    template_version_yank(membership=owner, version=second, reason="bug")
    template.refresh_from_db()
    second.refresh_from_db()
    assert second.is_yanked and second.yanked_reason == "bug" and template.latest_version == first
    assert TemplateVersion.objects.filter(template=template).count() == 2
    with pytest.raises(Exception):  # noqa: B017 - PROTECT: published versions are never hard-deleted with their template
        Template.objects.filter(pk=template.pk).delete()


def test_authors_update_details_and_search_follows(data, org):
    from apps.marketplace.selectors import template_search
    from apps.marketplace.services import template_update

    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=runnable_graph())
    template = publish(owner, flow)
    updated = template_update(membership=owner, template=template, title="급여 정산 알림", tags=["급여"], visibility="unlisted")
    assert updated.title == "급여 정산 알림" and updated.visibility == "unlisted"
    assert not template_search(query="정산").exists()  # unlisted: opened by link only
    template_update(membership=owner, template=template, visibility="public")
    assert list(template_search(query="정산")) == [template] and not template_search(query="업무자동화").exists()
    with pytest.raises(MarketplaceError) as error:
        template_update(membership=owner, template=template, author_organization=None)
    assert error.value.code == "invalid"
    other = data.create_organization(slug="pub-upd-other")
    with pytest.raises(MarketplaceError) as error:
        template_update(membership=membership(data, other), template=template, title="Mine now")
    assert error.value.code == "permission_denied"


def test_icon_is_a_name_from_the_icon_set_not_markup_or_an_address(data, org):
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=runnable_graph())
    for icon in ("javascript:alert(1)", '"><svg onload=alert(1)>', "data:image/svg+xml,x", "Mail"):
        with pytest.raises(MarketplaceError) as refused:
            publish(owner, flow, icon=icon)
        assert refused.value.extra["fields"] == {"icon": "Use an icon name made of small letters, digits and dashes, like “mail”."}
    assert publish(owner, flow, icon="alarm-clock").icon == "alarm-clock"
