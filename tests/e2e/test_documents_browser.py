"""Document steps in the editor, in a real browser against the real stack: the Korean palette's Documents group,
a test run that makes a PDF from an HTML template and reads its text back, and the PDF downloaded from the output."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor

pytestmark = [pytest.mark.browser, pytest.mark.stack]

HTML = (
    "<h1>청구서 {{ customer }}</h1><table border='1'><tr><th>품목</th><th>금액</th></tr>"
    "<tr data-each='line in lines'><td>{{ line.item }}</td><td>{{ line.amount }}</td></tr></table>"
)
GRAPH = {
    "nodes": [
        {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0]},
        {
            "id": "pdf",
            "type": "documents.pdf_from_html",
            "name": "Invoice",
            "position": [260, 0],
            "parameters": {
                "html": HTML,
                "values": {"customer": "홍길동", "lines": [{"item": "사과", "amount": 3600}, {"item": "배", "amount": 4500}]},
                "file_name": "청구서.pdf",
            },
        },
        {"id": "text", "type": "documents.pdf_text", "name": "Text", "position": [520, 0]},
    ],
    "edges": [{"source": "start", "target": "pdf"}, {"source": "pdf", "target": "text"}],
}


def test_a_pdf_made_read_and_downloaded_in_the_korean_editor(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "documents")
    flow = org.flow("Invoice", GRAPH)
    page = new_context(viewport=DESKTOP, locale="ko-KR").new_page()
    sign_in_with_link(page, org.login_url)
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    open_editor(page, org, flow["id"])

    page.get_by_test_id("palette-search").fill("Excel")
    expect(page.get_by_test_id("palette-documents.excel_read")).to_be_visible()
    expect(page.get_by_test_id("palette").get_by_role("heading", name="문서")).to_be_visible()
    page.get_by_test_id("palette-search").fill("")

    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-Text")).to_have_attribute("data-status", "success", timeout=60_000)
    page.get_by_test_id("node-Invoice").click()
    expect(page.get_by_test_id("panel")).to_contain_text("HTML 서식")
    page.get_by_test_id("node-Text").click()
    output = page.get_by_test_id("data-output")
    expect(output).to_contain_text("청구서 홍길동")
    download = output.get_by_test_id("file-download")
    expect(download).to_have_text("청구서.pdf")
    shots.take(page, "documents-ko")
    fetched = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            const start = new Uint8Array(await response.arrayBuffer()).slice(0, 5);
            return [response.status, String.fromCharCode(...start)];
        }""",
        download.get_attribute("href"),
    )
    assert fetched == [200, "%PDF-"]
    assert new_context.page_errors == []
