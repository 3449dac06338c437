"""PDF as bytes: text per page, tables, split, merge, and HTML templates rendered with the Korean font."""

from __future__ import annotations

import base64

import pytest

from apps.documents import pdf, pdf_html
from apps.flows.engine.errors import NodeError
from tests.documents import builders


def test_text_per_page_with_korean_and_page_selection():
    data = builders.pdf_pages(["첫 페이지 Hello", "둘째 페이지", "셋째 페이지"])
    pages = pdf.extract_text(data)
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert "첫 페이지 Hello" in pages[0]["text"] and "셋째" in pages[2]["text"]
    assert [p["page"] for p in pdf.extract_text(data, pages="2-")] == [2, 3]
    assert [p["page"] for p in pdf.extract_text(data, pages="1, 3")] == [1, 3]
    with pytest.raises(NodeError) as caught:
        pdf.extract_text(data, pages="4")
    assert caught.value.code == "page_out_of_range" and caught.value.values == {"page": "4", "count": "3"}
    with pytest.raises(NodeError) as caught:
        pdf.extract_text(data, pages="a-b")
    assert caught.value.code == "bad_pages"


@pytest.mark.parametrize(
    "data", [b"not a pdf at all", b"%PDF-1.7\n1 0 obj garbage", builders.pdf_pages(["x"])[:200]], ids=["text", "garbage", "truncated"]
)
def test_wrong_or_damaged_pdf_is_a_clear_error(data):
    with pytest.raises(NodeError) as caught:
        pdf.extract_text(data)
    assert caught.value.code in ("bad_pdf", "bad_pdf_page")


def test_password_protected_pdf_needs_its_password():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(__import__("io").BytesIO(builders.pdf_pages(["비밀 문서"]))))
    writer.encrypt(user_password="1234", owner_password="owner", algorithm="AES-128")
    buffer = __import__("io").BytesIO()
    writer.write(buffer)
    with pytest.raises(NodeError) as caught:
        pdf.extract_text(buffer.getvalue())
    assert caught.value.code == "pdf_password"
    assert "비밀 문서" in pdf.extract_text(buffer.getvalue(), password="1234")[0]["text"]


def test_tables_are_found_with_their_cells():
    data = builders.pdf_with_table([["품목", "수량", "금액"], ["사과", "3", "3,600"], ["배", "5", "4,500"]])
    tables = pdf.extract_tables(data)
    assert len(tables) == 1
    assert tables[0]["page"] == 1 and tables[0]["rows"] == [["품목", "수량", "금액"], ["사과", "3", "3,600"], ["배", "5", "4,500"]]


def test_split_and_merge():
    data = builders.pdf_pages(["one", "two", "three", "four"])
    parts = pdf.split(data)
    assert [p["pages"] for p in parts] == ["1", "2", "3", "4"]
    assert pdf.extract_text(parts[2]["data"])[0]["text"].strip() == "three"
    ranges = pdf.split(data, ranges="1-2, 3-4")
    assert [pdf.page_count(p["data"]) for p in ranges] == [2, 2]
    merged = pdf.merge([ranges[1]["data"], ranges[0]["data"]])
    assert [p["text"].strip() for p in pdf.extract_text(merged)] == ["three", "four", "one", "two"]
    with pytest.raises(NodeError) as caught:
        pdf.merge([data, b"nope"])
    assert caught.value.code == "bad_pdf" and caught.value.values == {"position": "2"}
    with pytest.raises(NodeError) as caught:
        pdf.merge([])
    assert caught.value.code == "nothing_to_merge"


def test_html_template_fills_values_repeats_rows_escapes_text_and_embeds_the_korean_font():
    html = (
        "<h1>{{ title }}</h1><p>{{ name }}님, 합계 {{ rows | map(attribute='amount') | sum }}원</p>"
        "<table><tr><th>품목</th><th>금액</th></tr>"
        "<tr data-each='row in rows'><td>{{ row.item }}</td><td>{{ row.amount }}</td></tr></table>"
        "<p>{{ note }}</p>"
    )
    values = {
        "title": "청구서",
        "name": "홍길동",
        "rows": [{"item": "사과", "amount": 3600}, {"item": "배", "amount": 4500}],
        "note": "<b>bold?</b> & co",
    }
    filled = pdf_html.fill_html(html, pdf_html.Template(values))
    assert "&lt;b&gt;bold?&lt;/b&gt; &amp; co" in filled and filled.count("<tr>") == 3
    data = pdf_html.render_pdf(html, values=values, title="청구서")
    text = pdf.extract_text(data)[0]["text"]
    for expected in ("청구서", "홍길동님, 합계 8100원", "사과", "4500", "<b>bold?</b> & co"):
        assert expected in text
    assert b"NanumSquare" in data  # the font is embedded (as a subset)


def test_template_errors_name_the_problem():
    with pytest.raises(NodeError) as caught:
        pdf_html.render_pdf("<p>{{ missing_field }}</p>", values={"name": "x"})
    assert caught.value.code == "template_missing_value" and caught.value.values["placeholder"] == "missing_field"
    with pytest.raises(NodeError) as caught:
        pdf_html.render_pdf("<p data-each='rows'>x</p>", values={"rows": []})
    assert caught.value.code == "bad_template"
    with pytest.raises(NodeError) as caught:
        pdf_html.render_pdf("<img src='file:///etc/passwd'>", values={})
    assert caught.value.code == "template_image"
    with pytest.raises(NodeError) as caught:
        pdf_html.render_pdf("<img src='http://169.254.169.254/latest'>", values={})
    assert caught.value.code == "template_image"


def test_inline_images_are_allowed():
    png = base64.b64encode(builders.image(8, 8)).decode()
    data = pdf_html.render_pdf(f"<p>logo</p><img src='data:image/png;base64,{png}' width='20'>", values={})
    assert b"/Subtype /Image" in data


def test_text_falls_back_to_pypdf_when_pdfium_refuses_a_file(monkeypatch):
    data = builders.pdf_pages(["첫 페이지", "둘째 페이지"])
    fast = pdf.extract_text(data)

    def refuse(*args, **kwargs):
        raise RuntimeError("PDFium could not load the document")

    monkeypatch.setattr(pdf, "_pdfium_texts", refuse)
    slow = pdf.extract_text(data)
    assert [p["text"].strip() for p in fast] == [p["text"].strip() for p in slow] == ["첫 페이지", "둘째 페이지"]
    assert "둘째 페이지" in pdf.extract_text(data, layout=True)[1]["text"]
