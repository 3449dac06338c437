"""The editor page: a shell with boot data for the committed React bundle, per organization and role."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.roles import Role
from apps.flows.services.flows import flow_create
from tests.flows.graphs import greeting_graph

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def organization(data):
    return data.create_organization(slug="editor-co")


def make_flow(data, organization, name="Greeter"):
    from django_tenants.utils import tenant_context

    with tenant_context(organization):
        return flow_create(user=data.owner_of(organization), name=name, graph=greeting_graph())


def boot_of(response) -> dict:
    found = re.search(r'<script id="editor-boot" type="application/json">(.*?)</script>', response.content.decode())
    assert found, "the page carries no boot data"
    return json.loads(found.group(1))


def test_editor_renders_for_an_editor_with_boot_data_and_the_bundle(data, organization):
    flow = make_flow(data, organization)
    member = data.create_member(organization, role=Role.EDITOR)
    response = data.client_for(organization, member.user).get(f"/flows/{flow.pk}/edit/")
    assert response.status_code == 200
    boot = boot_of(response)
    assert boot["flow_id"] == flow.pk and boot["can_edit"] is True and boot["language"] == "en"
    assert boot["api_base"] == "/api/v1" and boot["ws_path"] == "/ws/" and boot["csrf_token"]
    assert boot["max_body_bytes"] == settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # the editor refuses bigger saves in words
    html = response.content.decode()
    assert 'src="/static/editor/editor.js"' in html  # the same URL the lazily loaded chunks import
    assert re.search(r'href="/static/editor/editor\.css\?v=[0-9a-f]{12}"', html)
    assert "<title>Greeter" in html


def test_viewers_get_a_read_only_editor(data, organization):
    flow = make_flow(data, organization)
    viewer = data.create_member(organization, role=Role.VIEWER)
    response = data.client_for(organization, viewer.user).get(f"/flows/{flow.pk}/edit/")
    assert response.status_code == 200 and boot_of(response)["can_edit"] is False


def test_korean_page_boots_the_korean_editor(data, organization):
    flow = make_flow(data, organization)
    client = data.client_for(organization, data.owner_of(organization))
    response = client.get(f"/flows/{flow.pk}/edit/", HTTP_ACCEPT_LANGUAGE="ko")
    assert boot_of(response)["language"] == "ko"


def test_flows_of_another_organization_are_not_found(data, organization):
    from django_tenants.utils import tenant_context

    from apps.flows.models import Flow

    other = data.create_organization(slug="editor-other")
    make_flow(data, other, name="Public plan")
    foreign = make_flow(data, other, name="Secret plan")
    mine = make_flow(data, organization)
    with tenant_context(organization):
        assert not Flow.objects.filter(pk=foreign.pk).exists()  # primary keys repeat across schemas
    client = data.client_for(organization, data.owner_of(organization))
    response = client.get(f"/flows/{foreign.pk}/edit/")
    assert response.status_code == 404 and b"Secret plan" not in response.content
    # A session from the other organization is not honoured here either.
    stranger = data.client_for(other, data.owner_of(other))
    stranger.defaults["HTTP_HOST"] = organization.host
    assert stranger.get(f"/flows/{mine.pk}/edit/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(data, organization):
    flow = make_flow(data, organization)
    response = data.client_for(organization).get(f"/flows/{flow.pk}/edit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_committed_bundle_is_there_with_fixed_names():
    built = ROOT / "static" / "editor"
    assert (built / "editor.js").stat().st_size > 10_000
    assert (built / "editor.css").stat().st_size > 1_000
    names = sorted(path.name for path in built.iterdir())
    assert all(re.fullmatch(r"editor(-[A-Z][A-Za-z]+)?\.(js|css)", name) for name in names), names  # no content hashes


def test_every_editor_string_has_korean():
    """Each t("...") in the editor's source has a Korean entry in frontend/src/lib/ko.ts."""
    source = ROOT / "frontend" / "src"
    keys = set()
    for path in source.rglob("*.ts*"):
        keys |= set(re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"\s*\)', path.read_text(encoding="utf-8")))
    shortcuts = (source / "components" / "dialogs.tsx").read_text(encoding="utf-8")
    keys |= set(re.findall(r'\[\s*"[^"]+",\s*"((?:[^"\\]|\\.)*)"\s*\]', shortcuts))
    korean = (source / "lib" / "ko.ts").read_text(encoding="utf-8")
    defined = set(re.findall(r'^\s*"((?:[^"\\]|\\.)*)":', korean, flags=re.MULTILINE))
    english = (source / "lib" / "i18n.ts").read_text(encoding="utf-8")
    english_keys = set(re.findall(r'^\s*"((?:[^"\\]|\\.)*)":', english, flags=re.MULTILINE))
    assert len(keys) > 100, "the editor's strings were not found: did frontend/src move?"
    missing = sorted((keys | english_keys) - defined)
    assert not missing, f"no Korean for: {missing}"


def test_the_editor_writes_dates_in_the_organizations_time_zone(data, organization):
    organization.time_zone = "America/New_York"
    organization.save(update_fields=["time_zone"])
    flow = make_flow(data, organization)
    response = data.client_for(organization, data.owner_of(organization)).get(f"/flows/{flow.pk}/edit/")
    assert boot_of(response)["time_zone"] == "America/New_York"


def test_every_step_icon_is_drawn_by_the_editor_or_is_a_service_lettermark():
    """The editor draws `icon` from its own set, else loads static/connectors/icons/<icon>.svg: a name in neither is a
    404 in the browser's console and a blank box on the canvas."""
    from apps.flows.nodes.registry import load_builtin_nodes

    source = (ROOT / "frontend/src/components/nodes.tsx").read_text()
    block = source.split("const ICONS: Record<string, LucideIcon> = {", 1)[1].split("};", 1)[0]
    drawn = set(re.findall(r'"?([a-z][a-z0-9_-]*)"?\s*:', block))
    lettermarks = {path.stem for path in (ROOT / "static/connectors/icons").glob("*.svg")}
    registry = load_builtin_nodes()
    missing = sorted({registry.get(key).icon for key in registry.keys()} - drawn - lettermarks)  # noqa: SIM118
    assert missing == []
