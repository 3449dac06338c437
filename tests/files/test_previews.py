"""/files/<signed token>/preview: a PDF's first page as a PNG (drawn in the documents' limited child process, kept
next to the file, deleted with it), only for members of the file's organization; the run page and the editor's
link API point at it."""

import io

import pytest
from django.db import connection
from PIL import Image

from apps.accounts.roles import Role
from apps.files.previews import preview_key
from apps.files.selectors import file_get
from apps.files.services import file_link, file_save, files_delete
from apps.files.storage import files_storage
from tests.documents import builders

pytestmark = pytest.mark.django_db


def _saved(organization, data, name):
    connection.set_tenant(organization)
    ref = file_save(data=data, name=name)
    link = file_link(ref)
    key = preview_key(file_get(ref))
    connection.set_schema_to_public()
    return ref, link, key


def test_a_members_pdf_preview_is_its_first_page_as_a_png_made_once_and_deleted_with_the_file(data, django_capture_on_commit_callbacks):
    organization = data.create_organization()
    ref, link, key = _saved(organization, builders.pdf_pages(["첫 쪽 First page", "second"]), "notice.pdf")
    client = data.client_for(organization, data.create_member(organization, role=Role.VIEWER).user)
    response = client.get(f"{link}/preview")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "PNG" and abs(picture.width - 480) <= 2 and picture.height > picture.width  # an A4-like page
    storage = files_storage()
    assert storage.exists(key)  # kept: the next view does not draw it again
    with storage.open(key, "rb") as kept:
        assert kept.read() == response.content
    connection.set_tenant(organization)
    with django_capture_on_commit_callbacks(execute=True):
        files_delete(refs=[ref])
    connection.set_schema_to_public()
    assert not storage.exists(key)


def test_another_organizations_member_gets_no_preview(data):
    ours, theirs = data.create_organization(), data.create_organization()
    _ref, link, key = _saved(ours, builders.pdf_pages(["private"]), "private.pdf")
    stranger = data.owner_of(theirs)
    assert data.client_for(theirs, stranger).get(f"{link}/preview").status_code == 404
    assert data.client_for(ours, stranger).get(f"{link}/preview").status_code in (302, 404)  # not signed in to ours
    assert not files_storage().exists(key)


def test_a_damaged_pdf_or_a_type_without_preview_is_not_found_but_still_downloads(data):
    organization = data.create_organization()
    client = data.client_for(organization, data.owner_of(organization))
    _ref, broken, _key = _saved(organization, b"%PDF-1.4 broken", "broken.pdf")
    assert client.get(f"{broken}/preview").status_code == 404
    assert client.get(broken).status_code == 200
    _ref, text, _key = _saved(organization, b"hello", "a.txt")
    assert client.get(f"{text}/preview").status_code == 404


def test_the_link_api_names_the_preview_of_pdfs_and_images_only(data):
    organization = data.create_organization()
    pdf_ref, pdf_link, _ = _saved(organization, builders.pdf_pages(["a"]), "a.pdf")
    image_ref, image_link, _ = _saved(organization, builders.image(), "a.png")
    text_ref, _text_link, _ = _saved(organization, b"x", "a.txt")
    client = data.editor_api(organization, role=Role.VIEWER)
    answer = client.post(
        "/api/v1/files/links", {"files": [pdf_ref["$file"], image_ref["$file"], text_ref["$file"]]}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    by_name = {f["name"]: f for f in answer.json()["files"]}
    assert by_name["a.pdf"]["preview_url"] == by_name["a.pdf"]["url"] + "/preview"
    assert by_name["a.png"]["preview_url"] == by_name["a.png"]["url"] + "/preview"
    assert by_name["a.txt"]["preview_url"] is None
