import pytest

from apps.accounts.roles import Role


def test_settings_page_and_api(data):
    organization = data.create_organization(slug="setpage-co")
    owner = data.owner_of(organization)
    client = data.client_for(organization, owner)
    assert client.get("/settings/organization/").status_code == 200
    response = client.post("/settings/organization/", {"name": "Renamed", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.time_zone) == ("Renamed", "Asia/Tokyo")
    bad = client.post("/settings/organization/", {"name": "", "time_zone": "Nowhere/Town"})
    assert bad.status_code == 400

    api = data.api_client(organization, data.create_token(organization, owner))
    assert api.get("/api/v1/organization").json()["time_zone"] == "Asia/Tokyo"
    patched = api.patch("/api/v1/organization", {"time_zone": "Asia/Seoul"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["time_zone"] == "Asia/Seoul"
    invalid = api.patch("/api/v1/organization", {"time_zone": "Nowhere/Town"}, content_type="application/json")
    assert invalid.status_code == 400 and "time_zone" in invalid.json()["error"]["fields"]


def test_viewer_sees_settings_read_only(data):
    organization = data.create_organization(slug="setview-co")
    viewer = data.create_member(organization, role=Role.VIEWER)
    client = data.client_for(organization, viewer.user)
    page = client.get("/settings/organization/").content.decode()
    assert 'data-testid="settings-form"' not in page
    client.post("/settings/organization/", {"name": "Nope", "time_zone": "Asia/Tokyo"})
    organization.refresh_from_db()
    assert organization.name == "Setview-Co"
    api = data.api_client(organization, data.create_token(organization, viewer.user))
    assert api.patch("/api/v1/organization", {"name": "Nope"}, content_type="application/json").status_code == 403


def test_dashboard_links_to_the_persons_other_organizations(data):
    first = data.create_organization(slug="switch-one")
    owner = data.owner_of(first)
    second = data.create_organization(slug="switch-two")
    data.create_member(second, user=owner, role=Role.EDITOR)
    third = data.create_organization(slug="switch-three")
    html = data.client_for(first, owner).get("/").content.decode()
    assert "http://switch-two.localhost:8000/auth/handoff/" in html
    assert "switch-three" not in html
    assert third.name not in html


ATTACKS = ["127.0.0.0/8", "127.0.0.1", "0.0.0.0/0", "::/0", "169.254.169.254", "::1", "fe80::1", "fd00:ec2::254", "0.0.0.0"]
ATTACKS += ["::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "localhost", "demo.localhost", "8.8.8.0/24", "10.0.0.0/7"]


@pytest.fixture
def production_policy(settings):
    settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = False


@pytest.mark.parametrize("entry", ATTACKS)
def test_an_owner_cannot_open_the_platforms_own_network(data, production_policy, entry):
    """Issue 12: `PATCH /api/v1/organization {"allowed_internal_hosts": ["127.0.0.0/8"]}` was accepted, and a flow then
    fetched the platform's own web server. Every such entry is refused by name, in the API and on the settings page."""
    organization = data.create_organization()
    owner = data.owner_of(organization)
    api = data.api_client(organization, data.create_token(organization, owner))
    refused = api.patch("/api/v1/organization", {"allowed_internal_hosts": ["10.1.0.0/16", entry]}, content_type="application/json")
    assert refused.status_code == 400, (entry, refused.content)
    [problem] = refused.json()["error"]["fields"]["allowed_internal_hosts"]
    assert f"“{entry}”" in problem["message"] and "cannot be allowed" in problem["message"]
    page = data.client_for(organization, owner).post(
        "/settings/organization/", {"name": "Kept", "time_zone": "Asia/Seoul", "allowed_internal_hosts": f"10.1.0.0/16\n{entry}"}
    )
    assert page.status_code == 400 and f"“{entry}”" in page.content.decode()
    organization.refresh_from_db()
    assert organization.allowed_internal_hosts == []


def test_the_refusal_is_in_korean_and_private_ranges_stay_allowed(data, production_policy):
    organization = data.create_organization()
    api = data.api_client(organization, data.create_token(organization, data.owner_of(organization)))
    refused = api.patch(
        "/api/v1/organization", {"allowed_internal_hosts": ["169.254.169.254"]}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert "허용할 수 없습니다" in refused.json()["error"]["fields"]["allowed_internal_hosts"][0]["message"]
    private = ["10.1.0.0/16", "172.20.0.5", "192.168.1.0/24", "fd12:3456::/64", "intranet.example.internal"]
    saved = api.patch("/api/v1/organization", {"allowed_internal_hosts": private}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["allowed_internal_hosts"] == private


def test_the_platforms_own_hosts_and_the_configured_ranges_decide(data, production_policy, settings):
    settings.EZFLOW_SSRF_PLATFORM_HOSTS = ["10.9.8.7"]
    settings.EZFLOW_SSRF_ORGANIZATIONS_MAY_ALLOW = ["10.0.0.0/8"]
    organization = data.create_organization()
    api = data.api_client(organization, data.create_token(organization, data.owner_of(organization)))

    def save(entry):
        return api.patch("/api/v1/organization", {"allowed_internal_hosts": [entry]}, content_type="application/json").status_code

    assert save("10.9.0.0/16") == 400  # contains the platform's own host
    assert save("10.9.8.7") == 400
    assert save("192.168.1.0/24") == 400  # not a range this platform opens to organizations
    assert save("10.1.0.0/16") == 200
