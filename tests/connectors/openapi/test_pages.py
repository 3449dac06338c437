"""The API connectors pages: import by file, pasted text or address; operations, skipped list and versions shown."""

import copy

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import Role
from tests.connectors.openapi.specs import PETS_OAS30, PUBLIC_DATA_SWAGGER2, as_json, as_yaml


def browser(data, organization, role=Role.EDITOR):
    member = data.create_member(organization, role=role)
    return data.client_for(organization, member.user)


def test_import_by_paste_and_file_then_versions_with_changes(data, organization):
    client = browser(data, organization)
    page = client.get("/connectors/api/")
    assert page.status_code == 200 and b'data-testid="import-form"' in page.content and b'data-testid="no-connectors"' in page.content
    response = client.post("/connectors/api/", {"name": "Pets", "spec": as_yaml(PETS_OAS30)})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "listPets" in detail and "/pets/{petId}" in detail and "Imported version 1 with 4 operations." in detail
    assert "PATCH /pets/{petId}" in detail and "other.yaml" in detail  # skipped, with the reason
    changed = copy.deepcopy(PETS_OAS30)
    changed["paths"]["/pets"]["get"]["parameters"].append({"name": "sort", "in": "query", "schema": {"type": "string"}})
    upload = SimpleUploadedFile("pets.json", as_json(changed).encode(), content_type="application/json")
    response = client.post("/connectors/api/", {"name": "Pets", "file": upload})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert 'data-number="2"' in detail and "parameters added: sort" in detail


def test_refusals_are_shown_in_korean_with_what_was_skipped(data, organization):
    client = browser(data, organization)
    document = copy.deepcopy(PETS_OAS30)
    document["paths"] = {"/a": {"get": {"security": [{"oidc": []}], "responses": {}}}}
    response = client.post("/connectors/api/", {"name": "x", "spec": as_json(document)}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="import-skipped"' in text and "GET /a" in text and "가져오지" in text
    assert client.get("/connectors/api/", HTTP_ACCEPT_LANGUAGE="ko").content.decode().count("API 커넥터") >= 2


def test_viewers_see_but_cannot_import_or_delete_and_other_organizations_see_nothing(data, organization):
    editor = browser(data, organization)
    editor.post("/connectors/api/", {"name": "Air", "spec": as_json(PUBLIC_DATA_SWAGGER2)})
    viewer = browser(data, organization, role=Role.VIEWER)
    page = viewer.get("/connectors/api/")
    assert b"Air" in page.content and b'data-testid="import-form"' not in page.content
    assert viewer.post("/connectors/api/", {"name": "B", "spec": as_json(PETS_OAS30)}).status_code == 404
    from apps.connectors.models import ApiConnector

    connector = ApiConnector.objects.get(name="Air")
    assert viewer.post(f"/connectors/api/{connector.pk}/delete/").status_code == 404
    other = data.create_organization(slug=data.unique("other"))
    outsider = browser(data, other)
    assert outsider.get(f"/connectors/api/{connector.pk}/").status_code == 404
    assert editor.post(f"/connectors/api/{connector.pk}/delete/").status_code == 302
    assert not ApiConnector.objects.filter(pk=connector.pk).exists()
