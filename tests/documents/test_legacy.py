"""Old binary Office files: an .xls workbook read by the Excel step (xlrd) and a .doc document's text by the Word
step (the piece table of [MS-DOC]), both in the documents' limited child process."""

from __future__ import annotations

import datetime as dt

from apps.documents import legacy
from apps.flows.engine.context import LocalHost
from tests.documents import builders
from tests.documents.test_steps import flow, stored

SALES = {
    "매출": [["날짜", "품목", "수량", "확인"], [dt.date(2026, 1, 5), "사과", 3, True], [dt.date(2026, 1, 6), "배", 2.5, False]],
    "Other": [["a", "b"], [1, None], [None, None], [2, "x"]],
}


def test_the_excel_step_reads_an_xls_workbook_like_an_xlsx():
    host = LocalHost()
    upload = stored(host, builders.xls_workbook(SALES), "매출.xls")
    result, rows = flow(host, [{"file": upload}], ("documents.excel_read", {}))
    assert result.status == "success", result.error
    assert rows == [
        {"날짜": "2026-01-05", "품목": "사과", "수량": 3, "확인": True},
        {"날짜": "2026-01-06", "품목": "배", "수량": 2.5, "확인": False},
    ]
    result, rows = flow(host, [{"file": upload}], ("documents.excel_read", {"sheet": "Other"}))
    assert rows == [{"a": 1, "b": None}, {"a": 2, "b": "x"}]
    result, rows = flow(host, [{"file": upload}], ("documents.excel_read", {"sheet": "2", "range": "A3:B4", "header_row": 0}))
    assert rows == [{"A": 2, "B": "x"}]
    result, _ = flow(host, [{"file": upload}], ("documents.excel_read", {"sheet": "없음"}))
    assert result.error_code == "sheet_not_found" and "매출, Other" in result.error


def test_a_password_protected_xlsx_and_a_damaged_xls_are_said_clearly():
    host = LocalHost()
    protected = builders.compound_file({"EncryptionInfo": b"\x04\x00" * 100, "EncryptedPackage": b"\x00" * 5000})
    result, _ = flow(host, [{"file": stored(host, protected, "locked.xlsx")}], ("documents.excel_read", {}))
    assert result.status == "failed" and result.error_code == "xlsx_old_or_encrypted" and "password" in result.error
    other = builders.compound_file({"Something": b"\x00" * 5000})
    result, _ = flow(host, [{"file": stored(host, other, "odd.xls")}], ("documents.excel_read", {}))
    assert result.status == "failed" and result.error_code == "bad_xls"


def test_the_word_step_reads_the_text_of_a_doc_without_field_codes():
    host = LocalHost()
    document = builders.doc_document("공지사항\r신청 기간: 12월 8일까지\r", fields='\x13 HYPERLINK "https://x.example" \x14신청하기\x15\r')
    result, items = flow(host, [{"file": stored(host, document, "공지.doc")}], ("documents.word_text", {}))
    assert result.status == "success", result.error
    assert items[0]["text"] == "공지사항\n신청 기간: 12월 8일까지\n신청하기"
    assert items[0]["paragraphs"] == ["공지사항", "신청 기간: 12월 8일까지", "신청하기"]


def test_compressed_doc_text_and_bad_doc_files():
    assert legacy.doc_text(builders.doc_document("Café menu\rSecond line", compressed=True))["paragraphs"] == ["Café menu", "Second line"]
    host = LocalHost()
    not_word = builders.compound_file({"Other": b"\x00" * 5000})
    result, _ = flow(host, [{"file": stored(host, not_word, "x.doc")}], ("documents.word_text", {}))
    assert result.status == "failed" and result.error_code == "bad_doc"
