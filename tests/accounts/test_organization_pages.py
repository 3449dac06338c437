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
