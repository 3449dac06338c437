"""Requests the server refuses before any view runs still get a clear, translated answer in the usual format."""

from django.conf import settings


def test_an_oversized_api_body_is_413_with_the_limit_in_the_readers_language(data):
    organization = data.create_organization(slug="big-co")
    api = data.editor_api(organization)
    body = {"name": "Big", "graph": {"nodes": [], "edges": []}, "description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    korean = api.post("/api/v1/flows", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.status_code == 413
    assert korean.json()["error"]["code"] == "too_large"
    assert "보다 큽니다" in korean.json()["error"]["message"] and "MB" in korean.json()["error"]["message"]
    english = api.post("/api/v1/flows", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"].startswith("What was sent is larger than the limit of")


def test_an_oversized_form_gets_a_page_not_a_bare_error(data):
    organization = data.create_organization(slug="big-form-co")
    client = data.client_for(organization, data.owner_of(organization))
    response = client.post("/flows/new/", {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"] and b"larger than the limit" in response.content
