"""The document steps in flows (engine with LocalHost's in-memory files): files in, items and files out, errors said
in Korean and English."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from django.utils import translation

from apps.documents import hwp, pdf
from apps.flows.engine.context import LocalHost
from apps.flows.error_text import engine_error_text
from apps.flows.nodes.registry import load_builtin_nodes
from tests.documents import builders
from tests.documents.test_excel_csv import SALES, workbook
from tests.flows.engine.helpers import edge, node, run

DOCUMENT_STEPS = [
    "documents.chart",
    "documents.excel_read",
    "documents.excel_write",
    "documents.excel_append",
    "documents.csv_read",
    "documents.csv_write",
    "documents.text_read",
    "documents.pdf_text",
    "documents.pdf_tables",
    "documents.pdf_split",
    "documents.pdf_merge",
    "documents.pdf_from_html",
    "documents.word_fill",
    "documents.word_text",
    "documents.hwp_text",
    "documents.hwpx_fill",
    "documents.image_resize",
    "documents.image_convert",
    "documents.image_crop",
    "documents.image_exif",
    "documents.ocr",
    "documents.ics_file",
]


def flow(host, items, *steps):
    """Runs trigger → steps in a line; returns (result, outputs of the last step)."""
    nodes = [node("start", "trigger.manual")]
    edges = []
    previous = "start"
    for index, (key, params) in enumerate(steps):
        node_id = f"s{index}"
        nodes.append(node(node_id, key, **params))
        edges.append(edge(previous, node_id))
        previous = node_id
    result, _ = run(nodes, edges, items=items, host=host)
    return result, (result.outputs.get(previous) or {}).get("main")


def stored(host, data, name):
    return host.files.save(data=data, name=name)


def test_every_document_step_is_registered_with_korean_and_english_forms():
    registry = load_builtin_nodes()
    for key in DOCUMENT_STEPS:
        step = registry.get(key)
        assert step is not None, key
        assert step.category == "documents" and step.label["ko"] and step.label["en"] and step.description["ko"]
        for param in step.params:
            assert param.label["ko"] and param.label["en"], (key, param.name)
            for _value, label in param.options:
                assert label["ko"] and label["en"]


def test_excel_in_rows_out_then_a_new_workbook_and_a_template():
    host = LocalHost()
    upload = stored(host, workbook(SALES), "매출.xlsx")
    result, rows = flow(host, [{"file": upload, "note": "x"}], ("documents.excel_read", {}))
    assert result.status == "success", result.error
    assert rows == [
        {"날짜": "2026-01-05", "품목": "사과", "수량": 3, "단가": 1200.5},
        {"날짜": "2026-01-06T14:30:00", "품목": "배", "수량": 5, "단가": 900},
    ]
    result, out = flow(host, rows, ("documents.excel_write", {"file_name": "정리", "columns": ["품목", "수량"], "sheet_name": "요약"}))
    assert result.status == "success", result.error
    ref = out[0]["file"]
    assert ref["name"] == "정리.xlsx" and ref["mime_type"].endswith("spreadsheetml.sheet") and out[0]["rows"] == 2
    sheet = openpyxl.load_workbook(io.BytesIO(host.files.read(ref)))["요약"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["품목", "수량"], ["사과", 3], ["배", 5]]
    template = stored(host, workbook([["품목", "수량"], ["기존", 1]], title="Orders"), "template.xlsx")
    result, out = flow(host, [{"file": template}, *rows], ("documents.excel_append", {"sheet": "Orders", "add_columns": False}))
    assert result.status == "success", result.error
    appended = openpyxl.load_workbook(io.BytesIO(host.files.read(out[0]["file"])))["Orders"]
    assert [[c.value for c in row] for row in appended.iter_rows()] == [["품목", "수량"], ["기존", 1], ["사과", 3], ["배", 5]]
    assert out[0]["file"]["name"] == "template.xlsx" and out[0]["rows"] == 2


def test_csv_file_round_trip_in_cp949():
    host = LocalHost()
    upload = stored(host, "이름;금액\n홍길동;1200\n".encode("cp949"), "목록.csv")
    result, rows = flow(
        host, [{"attachment": {"file": upload}}], ("documents.csv_read", {"file_field": "attachment.file", "delimiter": ";"})
    )
    assert result.status == "success", result.error
    assert rows == [{"이름": "홍길동", "금액": "1200"}]
    result, out = flow(host, rows, ("documents.csv_write", {"encoding": "cp949", "output_field": "csv"}))
    assert host.files.read(out[0]["csv"]).decode("cp949") == "이름,금액\r\n홍길동,1200\r\n"


def test_text_file_into_a_field_in_utf8_and_cp949_and_a_binary_file_refused():
    host = LocalHost()
    notes = stored(host, "회의 메모\nline 2".encode("cp949"), "memo.txt")
    data = stored(host, "# Title\n".encode("utf-8-sig"), "readme.md")
    result, out = flow(host, [{"data": notes}, {"data": data}], ("documents.text_read", {"file_field": "data", "output_field": "body"}))
    assert result.status == "success", result.error
    assert [item["body"] for item in out] == ["회의 메모\nline 2", "# Title\n"]
    picture = stored(host, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.png")
    result, _ = flow(host, [{"file": picture}], ("documents.text_read", {}))
    assert result.status == "failed" and result.error_code == "not_text" and "a.png" in result.error


def test_pdf_from_html_then_text_tables_split_and_merge():
    host = LocalHost()
    html = (
        "<h1>{{ title }}</h1><table border='1'><tr><th>품목</th><th>금액</th></tr>"
        "<tr data-each='r in rows'><td>{{ r.item }}</td><td>{{ r.amount }}</td></tr></table>"
    )
    items = [{"title": "3월 보고서", "rows": [{"item": "사과", "amount": 3600}, {"item": "배", "amount": 4500}]}]
    result, out = flow(
        host,
        items,
        ("documents.pdf_from_html", {"html": html, "file_name": "{{ json.title }}.pdf"}),
        ("documents.pdf_text", {}),
    )
    assert result.status == "success", result.error
    assert out[0]["file"]["name"] == "3월 보고서.pdf" and out[0]["page_count"] == 1
    assert "3월 보고서" in out[0]["text"] and "사과" in out[0]["text"] and out[0]["pages"][0]["page"] == 1
    result, rows = flow(host, [{"file": out[0]["file"]}], ("documents.pdf_tables", {}))
    assert result.status == "success", result.error
    assert rows == [{"품목": "사과", "금액": "3600"}, {"품목": "배", "금액": "4500"}]
    three = stored(host, builders.pdf_pages(["one", "two", "three"]), "three.pdf")
    result, parts = flow(host, [{"file": three}], ("documents.pdf_split", {"ranges": "1, 2-3"}))
    assert [p["pages"] for p in parts] == ["1", "2-3"] and parts[1]["file"]["name"] == "three_p2-3.pdf"
    result, merged = flow(host, list(reversed(parts)), ("documents.pdf_merge", {"file_name": "all"}))
    assert result.status == "success", result.error
    assert merged[0]["file"]["name"] == "all.pdf" and merged[0]["page_count"] == 3 and merged[0]["files"] == 2
    assert [p["text"].strip() for p in pdf.extract_text(host.files.read(merged[0]["file"]))] == ["two", "three", "one"]


def test_word_and_hwp_templates_and_text():
    host = LocalHost()
    document = docx.Document()
    document.add_paragraph("{{ name }}님의 계약서")
    buffer = io.BytesIO()
    document.save(buffer)
    template = stored(host, buffer.getvalue(), "계약서.docx")
    result, out = flow(
        host,
        [{"file": template, "name": "홍길동"}],
        ("documents.word_fill", {"file_name": "{{ json.name }} 계약서"}),
        ("documents.word_text", {}),
    )
    assert result.status == "success", result.error
    assert out[0]["text"] == "홍길동님의 계약서" and out[0]["file"]["name"] == "홍길동 계약서.docx"
    hwpx = stored(host, builders.hwpx_document([builders.hp_paragraph(builders.hp_run("{{ 이름 }} 귀하"))]), "공문.hwpx")
    result, out = flow(host, [{"file": hwpx}], ("documents.hwpx_fill", {"values": {"이름": "김민수"}}), ("documents.hwp_text", {}))
    assert result.status == "success", result.error
    assert out[0]["text"] == "김민수 귀하" and out[0]["file"]["name"] == "공문.hwpx"
    assert hwp.hwpx_text(host.files.read(out[0]["file"]))["text"] == "김민수 귀하"
    old = stored(host, builders.hwp_document([[builders.para_text("공고문 본문")]]), "공고.hwp")
    result, out = flow(host, [{"file": old}], ("documents.hwp_text", {"output_field": "body"}))
    assert out[0]["body"] == "공고문 본문" and out[0]["paragraphs"] == ["공고문 본문"]


def test_image_steps():
    host = LocalHost()
    photo = stored(host, builders.image(40, 20, fmt="JPEG", exif={0x010F: "EZCam"}), "photo.jpg")
    result, out = flow(
        host,
        [{"file": photo}],
        ("documents.image_resize", {"width": 20, "format": "png"}),
        ("documents.image_crop", {"left": 0, "top": 0, "width": 10, "height": 10, "output_field": "thumb"}),
        ("documents.image_exif", {"file_field": "thumb"}),
    )
    assert result.status == "success", result.error
    assert out[0]["file"]["name"] == "photo.png" and out[0]["file"]["mime_type"] == "image/png"
    assert out[0]["image"]["width"] == 10 and out[0]["image"]["format"] == "png"
    result, out = flow(host, [{"file": photo}], ("documents.image_convert", {"format": "webp"}), ("documents.image_exif", {}))
    assert out[0]["image"]["format"] == "webp" and out[0]["image"]["exif"]["Make"] == "EZCam"


@pytest.mark.parametrize(
    ("key", "content", "code"),
    [
        ("documents.excel_read", b"not excel", "bad_xlsx"),
        ("documents.pdf_text", b"not a pdf", "bad_pdf"),
        ("documents.word_text", b"not word", "bad_docx"),
        ("documents.hwp_text", b"not hwp", "not_hwp"),
        ("documents.hwp_text", b"PK\x03\x04 broken zip", "bad_hwpx"),
        ("documents.image_exif", b"not an image", "bad_image"),
    ],
)
def test_a_wrong_file_fails_the_step_with_a_clear_translated_error(key, content, code):
    host = LocalHost()
    result, _ = flow(host, [{"file": stored(host, content, "upload.bin")}], (key, {}))
    assert result.status == "failed" and result.error_code == code
    with translation.override("ko"):
        korean = engine_error_text(result.error, result.error_args)
    assert korean != result.error and any("가" <= ch <= "힣" for ch in korean), korean


def test_a_missing_file_field_names_the_field():
    host = LocalHost()
    result, _ = flow(host, [{"name": "x"}], ("documents.pdf_text", {"file_field": "attachment"}))
    assert result.status == "failed" and result.error_code == "not_a_file" and "attachment" in result.error
