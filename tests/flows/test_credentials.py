import pytest
from django.db import connection

from apps.core import crypto
from apps.flows.models import Credential


@pytest.fixture
def organization(data):
    return data.create_organization(slug="cred-co")


SECRET = "xoxb-very-secret-value-1234"


def test_credentials_are_encrypted_and_never_returned(data, organization):
    admin = data.editor_api(organization, role="admin")
    created = admin.post(
        "/api/v1/credentials",
        {"name": "Slack", "type": "slack_webhook", "data": {"url": f"https://hooks.example/{SECRET}"}},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert SECRET not in created.content.decode()
    connection.set_tenant(organization)
    stored = Credential.objects.get(pk=created.json()["id"])
    assert SECRET not in stored.encrypted_data
    assert crypto.decrypt(stored.encrypted_data)["url"].endswith(SECRET)
    for path in ("/api/v1/credentials", f"/api/v1/credentials/{stored.pk}"):
        assert SECRET not in admin.get(path).content.decode()
    basic = admin.post(
        "/api/v1/credentials",
        {"name": "API", "type": "http_basic", "data": {"username": "kim", "password": SECRET}},
        content_type="application/json",
    ).json()
    detail = admin.get(f"/api/v1/credentials/{basic['id']}").json()
    assert detail["fields"] == {"username": "kim"}


def test_update_keeps_secrets_that_are_not_sent_again(data, organization):
    admin = data.editor_api(organization, role="admin")
    created = admin.post(
        "/api/v1/credentials",
        {"name": "API", "type": "http_basic", "data": {"username": "kim", "password": SECRET}},
        content_type="application/json",
    ).json()
    admin.patch(f"/api/v1/credentials/{created['id']}", {"data": {"username": "lee"}}, content_type="application/json")
    connection.set_tenant(organization)
    assert crypto.decrypt(Credential.objects.get(pk=created["id"]).encrypted_data) == {"username": "lee", "password": SECRET}


def test_bad_credential_input_and_roles(data, organization):
    admin = data.editor_api(organization, role="admin")
    unknown = admin.post("/api/v1/credentials", {"name": "X", "type": "nope", "data": {}}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["error"]["fields"]["type"]
    missing = admin.post(
        "/api/v1/credentials", {"name": "X", "type": "http_basic", "data": {"username": "a"}}, content_type="application/json"
    )
    assert missing.status_code == 400 and "Password" in missing.json()["error"]["fields"]["data"][0]["message"]
    editor = data.editor_api(organization, role="editor")
    assert (
        editor.post(
            "/api/v1/credentials", {"name": "X", "type": "http_bearer", "data": {"token": "t"}}, content_type="application/json"
        ).status_code
        == 403
    )
    assert editor.get("/api/v1/credentials").status_code == 200


def test_key_rotation_re_encrypts_with_the_new_key(data, organization, settings):
    from cryptography.fernet import Fernet

    from apps.flows.services.credentials import credential_create, credentials_rotate

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EZFLOW_CREDENTIAL_KEYS = [old_key]
    crypto.reset_cipher_cache()
    connection.set_tenant(organization)
    credential = credential_create(user=None, name="T", type="http_bearer", data={"token": SECRET})
    settings.EZFLOW_CREDENTIAL_KEYS = [new_key, old_key]
    crypto.reset_cipher_cache()
    assert credentials_rotate() == 1
    settings.EZFLOW_CREDENTIAL_KEYS = [new_key]
    crypto.reset_cipher_cache()
    credential.refresh_from_db()
    assert crypto.decrypt(credential.encrypted_data) == {"token": SECRET}
    crypto.reset_cipher_cache()
