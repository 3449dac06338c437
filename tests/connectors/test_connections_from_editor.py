"""Connections from the editor: the OAuth2 sign-in comes back to where it started (a path on this host only), the
kinds carry their help, icon and value shapes for the step form, a refused token refresh becomes a notice on the
Connections page and an alert to the admins, and the page offers the shared "new connection" dialog."""

from urllib.parse import urlsplit

import pytest
from django.db import connection

from apps.flows.services.oauth2 import safe_return_path
from apps.notifications.models import Notification
from tests.flows.test_oauth2 import as_if_an_hour_passed, call_api, create, finish, stored
from tests.support.fake_oauth2 import FakeOAuth2Provider


@pytest.fixture
def provider():
    with FakeOAuth2Provider() as fake:
        yield fake


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    return organization


@pytest.fixture
def admin(data, organization):
    return data.client_for(organization, data.owner_of(organization))


def sign_in(client, credential_id, return_to):
    import httpx2

    answer = client.post(f"/api/v1/credentials/{credential_id}/oauth2/authorize", {"return_to": return_to}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    back = httpx2.get(answer.json()["authorization_url"], follow_redirects=False)
    return finish(client, back.headers["location"])


@pytest.mark.parametrize(
    "given, kept",
    [
        ("/flows/7/edit/?node=kakao&param=credential&credential=3", True),
        ("/connections/", True),
        ("https://evil.example/", False),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("/flows/1/edit/\r\nLocation: https://evil.example", False),
        ("", False),
        ("/" + "a" * 600, False),
    ],
)
def test_only_paths_on_this_host_are_kept_as_return_addresses(given, kept):
    assert safe_return_path(given) == (given if kept else "")


def test_the_sign_in_comes_back_to_the_editor_step_it_started_from(admin, organization, provider):
    credential_id = create(admin, provider)
    back_to = f"/flows/12/edit/?node=kakao&param=credential&credential={credential_id}"
    done = sign_in(admin, credential_id, back_to)
    assert done.status_code == 302 and done["Location"] == back_to
    assert stored(organization, credential_id).status == "connected"


def test_a_foreign_return_address_lands_on_the_connections_page(admin, organization, provider):
    credential_id = create(admin, provider)
    done = sign_in(admin, credential_id, "https://evil.example/phish")
    assert done.status_code == 302 and done["Location"] == "/connections/" and not urlsplit(done["Location"]).netloc


def test_kinds_carry_help_icon_and_value_shapes_for_the_step_form(admin):
    kinds = {kind["key"]: kind for kind in admin.get("/api/v1/credentials/types", HTTP_ACCEPT_LANGUAGE="ko").json()}
    public_data = kinds["data_go_kr"]
    assert "공공데이터포털" in public_data["help"] and public_data["icon"] == "/static/connectors/icons/public-data.svg"
    assert kinds["kakao_login"]["icon"].endswith("/kakao.svg") and kinds["kakao_login"]["oauth2"] is True
    telegram = kinds["telegram_bot"]["fields"][0]
    assert telegram["pattern"] and telegram["example"]
    from django.contrib.staticfiles import finders

    for kind in kinds.values():
        if kind["icon"]:
            assert finders.find(kind["icon"].removeprefix("/static/")), kind["icon"]


def test_every_connector_step_icon_is_a_drawn_lettermark():
    from django.contrib.staticfiles import finders

    from apps.flows.nodes.registry import load_builtin_nodes

    registry = load_builtin_nodes()
    for key in registry.keys():  # noqa: SIM118
        node_type = registry.get(key)
        if type(node_type).__module__.startswith("apps.connectors.catalog"):
            assert finders.find(f"connectors/icons/{node_type.icon}.svg"), (key, node_type.icon)


def test_a_refused_refresh_alerts_the_admins_and_shows_a_notice(
    admin, data, organization, provider, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    credential_id = create(admin, provider)
    sign_in(admin, credential_id, "/connections/")
    editor = data.create_member(organization, role="editor").user
    provider.revoke_refresh_tokens()
    as_if_an_hour_passed(organization, credential_id, provider)
    with django_capture_on_commit_callbacks(execute=True):
        failed = call_api(organization, credential_id, provider)
    assert failed.error_code == "credential_reconnect"
    connection.set_tenant(organization)
    owner = data.owner_of(organization)
    (notice,) = Notification.objects.filter(kind="credential")
    assert notice.user_id == owner.pk and notice.flow_name == "CRM" and notice.error_message == "invalid_grant"
    assert not Notification.objects.filter(user_id=editor.pk).exists()  # only owners and admins are told
    listed = admin.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="ko").json()
    item = listed["results"][0] if isinstance(listed, dict) and "results" in listed else listed[0]
    assert item["title"] == "“CRM” 연결을 다시 연결해야 합니다" and item["url"] == "/connections/"
    assert "다시 연결" in item["message"]
    (mail,) = mailoutbox
    assert mail.to == [owner.email] and "CRM" in mail.subject and "/connections/" in mail.body
    page = admin.get("/connections/").content.decode()
    assert (
        'data-testid="reconnect-notice"' in page and "One connection must be reconnected" in page and f"#credential-{credential_id}" in page
    )
    korean = admin.get("/connections/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "다시 연결해야 합니다" in korean

    # The same failure again while the notice is unread updates it instead of adding one.
    with django_capture_on_commit_callbacks(execute=True):
        call_api(organization, credential_id, provider)
    connection.set_tenant(organization)
    assert Notification.objects.filter(kind="credential").count() == 1


def test_the_connections_page_mounts_the_shared_dialog_for_admins_only(admin, data, organization):
    page = admin.get("/connections/").content.decode()
    assert 'id="connections-root"' in page and 'id="connections-boot"' in page and "editor/editor.js" in page
    assert '"return_to": "/connections/"' in page
    viewer = data.client_for(organization, data.create_member(organization, role="viewer").user)
    assert 'id="connections-root"' not in viewer.get("/connections/").content.decode()


def test_the_editor_boot_names_the_redirect_address(admin, data, organization):
    from apps.flows.services.flows import flow_create

    connection.set_tenant(organization)
    flow = flow_create(user=data.owner_of(organization), name="F")
    page = admin.get(f"/flows/{flow.pk}/edit/").content.decode()
    assert "oauth2_redirect_uri" in page and "/oauth2/callback/" in page


def test_the_template_install_checklist_leads_to_the_connections_page(admin, organization):
    import io

    from django.core.management import call_command

    from apps.marketplace.models import Template

    connection.set_schema_to_public()
    call_command("marketplace_load_templates", "rss-new-posts-to-telegram", stdout=io.StringIO())
    template = Template.objects.get(title="RSS 새 글 → 텔레그램으로 알림")
    installed = admin.post(f"/marketplace/{template.pk}/use/", {"version": template.latest_version.pk})
    page = admin.get(installed["Location"], HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'data-testid="installed-connections-link"' in page and 'href="/connections/"' in page
    assert "/static/connectors/icons/telegram.svg" in page and "연결 페이지에서 연결을 보고 추가하기" in page
    assert 'href="/connections/"' in admin.get("/flows/").content.decode()  # the main menu
