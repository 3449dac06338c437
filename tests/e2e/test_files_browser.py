"""Files in a real browser: a multipart webhook call stores its uploads (web process), the run page (another web
request) shows them with an image preview, and a member downloads one; the link is useless to another
organization's member."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link, unique
from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

GRAPH = {
    "nodes": [
        {**node("hook", "trigger.webhook", "Webhook", response_mode="immediately"), "position": [0, 0]},
        {**node("note", "data.set", "Note", fields=[{"name": "note", "value": "{{ json.body.note }}"}]), "position": [240, 0]},
    ],
    "edges": [edge("hook", "note")],
}


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (the browser decodes it), made here: red pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def organization(stack, stem):
    slug = unique(stem)
    created = signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return slug, created["login_url"], client


def test_uploaded_files_show_on_the_run_page_and_download(embedded_stack, new_context, shots):
    stack = embedded_stack
    slug, login_url, client = organization(stack, "fileruns")
    flow = client.post("/api/v1/flows", json={"name": "Receipts", "graph": GRAPH}).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code == 201
    assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
    files = {"receipt": ("영수증.png", png(), "image/png"), "sheet": ("매출.csv", "이름,금액\n김,3000\n".encode(), "text/csv")}
    accepted = client.post(flow["webhook_path"], data={"note": "3월"}, files=files)
    assert accepted.status_code == 202, accepted.text
    run_id = accepted.json()["run_id"]

    page = new_context().new_page()
    sign_in_with_link(page, login_url)
    page.goto(stack.url(f"{slug}.localhost", f"/runs/{run_id}/"))
    expect(page.get_by_test_id("run-status")).to_contain_text("Succeeded", timeout=30_000)
    section = page.get_by_test_id("run-files")
    expect(section.get_by_test_id("run-file")).to_have_count(2)
    preview = section.locator("img.file-preview")
    expect(preview).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 4", arg=preview.element_handle())
    shots.take(page, "run-files")

    with page.expect_download() as download:
        section.get_by_role("link", name="매출.csv").click()
    path = download.value.path()
    assert download.value.suggested_filename == "매출.csv"
    with open(path, "rb") as downloaded:
        assert downloaded.read() == "이름,금액\n김,3000\n".encode()
    link = section.get_by_role("link", name="매출.csv").get_attribute("href")

    # A member of another organization, signed in on its own host, gets nothing from this link on either host.
    other_slug, other_login, _client = organization(stack, "fileothers")
    stranger = new_context().new_page()
    sign_in_with_link(stranger, other_login)
    assert stranger.goto(stack.url(f"{other_slug}.localhost", link)).status == 404
    stranger.goto(stack.url(f"{slug}.localhost", link))
    assert "/login" in stranger.url  # no session on that host: sign in first, as a member only
