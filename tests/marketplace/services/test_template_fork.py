import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from apps.accounts.roles import Role
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import Template, TemplateInstall
from apps.marketplace.selectors import fork_list
from apps.marketplace.services import fork_update, fork_update_check, template_fork, template_publish, template_version_publish
from tests.marketplace.support import PLANTED_SECRET, make_flow, membership


@pytest.fixture
def published(data):
    org_a = data.create_organization(slug="fork-a")
    author = membership(data, org_a)
    flow, _ = make_flow(org_a, user=author.user)
    template = template_publish(membership=author, flow=flow, title="Order alert", summary="Slack on new orders")
    return org_a, author, flow, template


def set_draft(organization, flow, mutate):
    from apps.flows.models import Flow
    from apps.flows.services.flows import flow_update

    with tenant_context(organization):
        fresh = Flow.objects.get(pk=flow.pk)
        graph = fresh.draft
        mutate({n["id"]: n for n in graph["nodes"]}, graph)
        flow_update(flow=fresh, graph=graph)
    connection.set_schema_to_public()


def test_install_copies_the_version_into_the_organization_and_remembers_its_origin(data, published):
    _, _, _, template = published
    org_b = data.create_organization(slug="fork-b")
    installer = membership(data, org_b, role=Role.EDITOR)
    result = template_fork(membership=installer, template=template)
    assert {c["credential_type"] for c in result.credentials_needed} == {"http_bearer", "slack_webhook"}
    from apps.flows.models import Flow

    with tenant_context(org_b):
        flow = Flow.objects.get(pk=result.flow.pk)
        assert flow.origin_template_id == template.pk and flow.origin_version_id == template.latest_version_id
        assert flow.draft["nodes"] == template.latest_version.graph["nodes"] and PLANTED_SECRET not in str(flow.draft)
    template.refresh_from_db()
    assert template.install_count == 1 and template.trending_score == 1
    assert TemplateInstall.objects.get().organization == org_b
    viewer = membership(data, org_b, role=Role.VIEWER)
    with pytest.raises(MarketplaceError) as error:
        template_fork(membership=viewer, template=template)
    assert error.value.code == "permission_denied"


def test_organization_only_templates_and_yanked_versions_cannot_be_installed(data, published):
    org_a, author, _, template = published
    Template.objects.filter(pk=template.pk).update(visibility="organization")
    template.refresh_from_db()
    org_b = data.create_organization(slug="fork-c")
    with pytest.raises(MarketplaceError) as error:
        template_fork(membership=membership(data, org_b), template=template)
    assert error.value.code == "not_found"
    template_fork(membership=author, template=template)  # its own organization may
    from apps.marketplace.services import template_version_yank

    template_version_yank(membership=author, version=template.latest_version)
    with pytest.raises(MarketplaceError) as error:
        template_fork(membership=author, template=template, version=template.versions.get())
    assert error.value.code == "version_yanked"


def test_update_available_diff_and_update_keeps_credentials_and_flags_conflicts(data, published):
    org_a, author, flow_a, template = published
    org_b = data.create_organization(slug="fork-d")
    installer = membership(data, org_b)
    fork = template_fork(membership=installer, template=template).flow
    own_credential = make_flow(org_b, user=installer.user, name="cred holder", credential_data={"url": "https://hooks.example/b"})[1]

    def fill_in(nodes, graph):
        nodes["slack"]["parameters"]["credential"] = str(own_credential.pk)
        nodes["slack"]["parameters"]["text"] = "B's message"
        nodes["hook"]["parameters"]["secret"] = "b-own-secret"

    set_draft(org_b, fork, fill_in)
    status = fork_update_check(organization=org_b, flow=_reload(org_b, fork))
    assert not status.update_available and status.local_changes["nodes"]["changed"]

    def improve(nodes, graph):
        nodes["greet"]["parameters"]["fields"][0]["value"] = "반갑습니다 {{ json.body.name }}"
        nodes["slack"]["parameters"]["text"] = "A's new message"

    set_draft(org_a, flow_a, improve)
    template_version_publish(membership=author, template=template, flow=flow_a, version="1.1.0", changelog="Friendlier")
    status = fork_update_check(organization=org_b, flow=_reload(org_b, fork))
    assert status.update_available and status.latest_version.version == "1.1.0" and status.installed_version.version == "1.0.0"
    assert {c["path"] for c in status.conflicts} == {"parameters.text"}
    assert any(n["id"] == "greet" for n in status.upstream_changes["nodes"]["changed"])
    assert [s.update_available for s in fork_list(organization=org_b)] == [True]

    result = fork_update(membership=installer, flow=fork)
    nodes = {n["id"]: n for n in result.flow.draft["nodes"]}
    assert nodes["greet"]["parameters"]["fields"][0]["value"].startswith("반갑습니다")
    assert nodes["slack"]["parameters"]["credential"] == str(own_credential.pk)
    assert nodes["hook"]["parameters"]["secret"] == "b-own-secret"
    assert nodes["slack"]["parameters"]["text"] == "B's message" and result.conflicts[0]["path"] == "parameters.text"
    after = fork_update_check(organization=org_b, flow=_reload(org_b, fork))
    assert not after.update_available and after.installed_version.version == "1.1.0"
    with pytest.raises(MarketplaceError) as error:
        fork_update(membership=installer, flow=fork)
    assert error.value.code == "up_to_date"


def test_a_fork_published_back_shows_forked_from(data, published):
    _, _, _, template = published
    org_b = data.create_organization(slug="fork-e")
    installer = membership(data, org_b)
    fork = template_fork(membership=installer, template=template).flow
    mine = template_publish(membership=installer, flow=fork, title="Order alert, B edition", summary="With extras")
    assert mine.forked_from == template and mine.forked_from_version == template.latest_version
    template.refresh_from_db()
    assert template.fork_count == 1 and list(template.forks.all()) == [mine]
    from tests.marketplace.support import gql

    query = "query($id: ID!) { template(id: $id) { title forks { title } forkedFrom { title } forkCount } }"
    client = data.client_for(None)
    assert gql(client, query, {"id": str(template.pk)})[1]["data"]["template"] == {
        "title": "Order alert",
        "forks": [{"title": "Order alert, B edition"}],
        "forkedFrom": None,
        "forkCount": 1,
    }
    assert gql(client, query, {"id": str(mine.pk)})[1]["data"]["template"]["forkedFrom"] == {"title": "Order alert"}

    # Once moderators hide the origin (or it becomes organization-only), neither it nor its versions' graphs show.
    origin = "query($id: ID!) { template(id: $id) { forkedFrom { title } forkedFromVersion { version graph } } }"
    assert gql(client, origin, {"id": str(mine.pk)})[1]["data"]["template"]["forkedFromVersion"]["version"] == "1.0.0"
    for change in ({"is_hidden": True}, {"is_hidden": False, "visibility": "organization"}):
        type(template).objects.filter(pk=template.pk).update(**change)
        assert gql(client, origin, {"id": str(mine.pk)})[1]["data"]["template"] == {"forkedFrom": None, "forkedFromVersion": None}


def _reload(organization, flow):
    from apps.flows.models import Flow

    with tenant_context(organization):
        return Flow.objects.get(pk=flow.pk)


def test_trending_counts_installs_of_the_last_seven_days_only(data, published):
    from datetime import timedelta

    from django.utils import timezone

    from apps.marketplace.tasks import trending_refresh_task

    _, author, _, template = published
    template_fork(membership=author, template=template)
    template_fork(membership=author, template=template)
    TemplateInstall.objects.filter(pk=TemplateInstall.objects.order_by("id").first().pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    trending_refresh_task()
    template.refresh_from_db()
    assert (template.install_count, template.trending_score) == (2, 1.0)


def test_a_too_long_flow_name_is_refused_not_cut(data, published):
    _, _, _, template = published
    installer = membership(data, data.create_organization(slug="fork-long"))
    with pytest.raises(MarketplaceError) as error:
        template_fork(membership=installer, template=template, name="이" * 201)
    assert error.value.field == "name"
    assert template_fork(membership=installer, template=template, name="  ").flow.name == template.title


def test_a_template_made_private_or_hidden_sends_no_new_versions_to_other_organizations(data, published):
    org_a, author, flow_a, template = published
    org_b = data.create_organization(slug="fork-private")
    installer = membership(data, org_b)
    fork = template_fork(membership=installer, template=template).flow

    def improve(nodes, graph):
        nodes["greet"]["parameters"]["fields"][0]["value"] = "PRIVATE-V2 {{ json.body.name }}"

    set_draft(org_a, flow_a, improve)
    template_version_publish(membership=author, template=template, flow=flow_a, version="1.1.0")
    assert fork_update_check(organization=org_b, flow=_reload(org_b, fork)).update_available
    for change in ({"visibility": "organization"}, {"visibility": "public", "is_hidden": True}):
        Template.objects.filter(pk=template.pk).update(**change)
        status = fork_update_check(organization=org_b, flow=_reload(org_b, fork))
        assert not status.update_available and status.latest_version is None and status.upstream_changes is None
        [listed] = fork_list(organization=org_b)
        assert not listed.update_available and listed.latest_version is None
        with pytest.raises(MarketplaceError) as error:
            fork_update(membership=installer, flow=_reload(org_b, fork))
        assert error.value.code == "not_found"
        assert "PRIVATE-V2" not in str(_reload(org_b, fork).draft)
