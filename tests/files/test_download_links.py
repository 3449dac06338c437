"""/files/<signed token>: only members of the organization, on its host, until the link expires."""

from unittest import mock

import pytest
from django.core import signing
from django.db import connection

from apps.accounts.roles import Role
from apps.files.services import file_link, file_save

pytestmark = pytest.mark.django_db


def _saved(organization, *, data=b"hello", name="hello.txt", mime_type=None):
    connection.set_tenant(organization)
    ref = file_save(data=data, name=name, mime_type=mime_type)
    link = file_link(ref)
    connection.set_schema_to_public()
    return ref, link


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_member_downloads_through_the_link(data):
    organization = data.create_organization()
    ref, link = _saved(organization, data=b"a,b\n1,2\n", name="표.csv")
    member = data.create_member(organization, role=Role.VIEWER).user
    response = data.client_for(organization, member).get(link)
    assert response.status_code == 200
    assert _body(response) == b"a,b\n1,2\n"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;") and "%ED%91%9C.csv" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_images_open_inline_and_html_never_does(data):
    organization = data.create_organization()
    owner = data.owner_of(organization)
    _ref, image = _saved(organization, data=b"\x89PNG\r\n\x1a\n", name="chart.png")
    _ref, page = _saved(organization, data=b"<script>alert(1)</script>", name="x.html", mime_type="text/html")
    client = data.client_for(organization, owner)
    shown = client.get(image)
    assert shown["Content-Type"] == "image/png" and shown["Content-Disposition"].startswith("inline")
    sent = client.get(page)
    assert sent["Content-Type"] == "application/octet-stream" and sent["Content-Disposition"].startswith("attachment")


def test_signed_out_people_are_sent_to_sign_in(data):
    organization = data.create_organization()
    _ref, link = _saved(organization)
    response = data.client_for(organization).get(link)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_link_of_another_organization_is_not_found(data):
    ours, theirs = data.create_organization(), data.create_organization()
    _ref, link = _saved(theirs)
    # A member of ours, on our host, with a valid link of the other organization: 404, the bytes stay theirs.
    response = data.client_for(ours, data.owner_of(ours)).get(link)
    assert response.status_code == 404
    # A member of ours with a session of our host cannot use it on their host either.
    client = data.client_for(ours, data.owner_of(ours))
    assert client.get(link, HTTP_HOST=theirs.host).status_code == 404


def test_a_tampered_link_is_not_found(data):
    organization = data.create_organization()
    ref, link = _saved(organization)
    forged = signing.dumps({"s": organization.schema_name, "f": ref["$file"]}, salt="another.salt", compress=False)
    client = data.client_for(organization, data.owner_of(organization))
    assert client.get(f"/files/{forged}").status_code == 404
    assert client.get(link[:-2] + "xx").status_code == 404


def test_an_expired_link_says_so(data, settings):
    organization = data.create_organization()
    settings.EZFLOW_FILES_LINK_SECONDS = 60
    connection.set_tenant(organization)
    ref = file_save(data=b"old", name="old.txt")
    import time

    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61):
        link = file_link(ref)
    connection.set_schema_to_public()
    response = data.client_for(organization, data.owner_of(organization)).get(link, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 410
    assert "만료" in response.content.decode()


def test_a_deleted_file_is_not_found(data, django_capture_on_commit_callbacks):
    organization = data.create_organization()
    ref, link = _saved(organization)
    connection.set_tenant(organization)
    from apps.files.services import files_delete

    with django_capture_on_commit_callbacks(execute=True):
        files_delete(refs=[ref])
    connection.set_schema_to_public()
    assert data.client_for(organization, data.owner_of(organization)).get(link).status_code == 404
