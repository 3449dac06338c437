from apps.accounts.models import Organization


def post(client, body, **headers):
    return client.post("/api/v1/signup", body, content_type="application/json", **headers)


def test_signup_returns_201_with_the_organization_url_and_a_one_time_login(data):
    client = data.client_for(None)
    response = post(client, {"organization": "Acme", "slug": "acme", "email": "a@acme.example", "password": "correct-horse-battery"})
    assert response.status_code == 201
    body = response.json()
    assert body["url"] == "http://acme.localhost:8000/"
    assert body["organization"] == {"name": "Acme", "slug": "acme", "url": "http://acme.localhost:8000/", "time_zone": "Asia/Seoul"}
    handoff = body["login_url"].replace("http://acme.localhost:8000", "")
    org_client = data.client_for(Organization.objects.get(slug="acme"))
    landing = org_client.get(handoff)
    assert landing.status_code == 302 and landing["Location"] == "/"
    assert org_client.get("/").status_code == 200
    assert org_client.get("/api/v1/me").json()["role"] == "owner"
    # the link works once only
    again = data.client_for(Organization.objects.get(slug="acme"))
    assert again.get(handoff)["Location"] == "/login/"
    assert again.get("/api/v1/me").status_code in (401, 403)


def test_signup_errors_are_per_field_and_translated(data):
    client = data.client_for(None)
    body = {"organization": "", "slug": "admin", "email": "nope", "password": "123"}
    english = post(client, body)
    assert english.status_code == 400
    error = english.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"organization", "slug", "email", "password"}
    korean = post(client, body, HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["error"]["fields"]["slug"][0]["message"] != error["fields"]["slug"][0]["message"]


def test_missing_fields_and_non_json_are_clear_errors(data):
    client = data.client_for(None)
    missing = post(client, {"slug": "acme"})
    assert missing.status_code == 400
    assert {"organization", "email", "password"} <= set(missing.json()["error"]["fields"])
    garbage = client.post("/api/v1/signup", "{not json", content_type="application/json")
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == "parse_error"


def test_signup_is_not_offered_on_organization_hosts(data):
    organization = data.create_organization(slug="host-check")
    response = data.client_for(organization).post("/api/v1/signup", {}, content_type="application/json")
    assert response.status_code == 404
