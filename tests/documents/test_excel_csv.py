"""Excel and CSV as bytes: reading sheets (header, range, types), writing, templates and appending; CSV encodings."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from apps.documents import csvfile, excel
from apps.flows.engine.errors import NodeError


def workbook(rows, *, title="Sales", extra_sheet=False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("Other").append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SALES = [
    ["날짜", "품목", "수량", "단가", None],
    [dt.datetime(2026, 1, 5), "사과", 3, 1200.5, None],
    [None, None, None, None, None],
    [dt.datetime(2026, 1, 6, 14, 30), "배", 5, 900, None],
]


def test_read_sheet_header_types_and_empty_rows():
    items = excel.read_sheet(workbook(SALES))
    assert items == [
        {"날짜": "2026-01-05", "품목": "사과", "수량": 3, "단가": 1200.5},
        {"날짜": "2026-01-06T14:30:00", "품목": "배", "수량": 5, "단가": 900},
    ]


def test_read_sheet_by_name_or_position_and_unknown_sheet_names_the_sheets():
    data = workbook([["a"], [1]], extra_sheet=True)
    assert excel.read_sheet(data, sheet="Other", header_row=0) == [{"A": "x"}]
    assert excel.read_sheet(data, sheet=2, header_row=0) == [{"A": "x"}]
    with pytest.raises(NodeError) as caught:
        excel.read_sheet(data, sheet="Nope")
    assert caught.value.code == "sheet_not_found" and "Sales, Other" in caught.value.message


def test_read_range_with_header_inside_it_and_repeated_or_empty_headers():
    rows = [["title row"], [None, "이름", "이름", None, "x"], [None, "a", "b", "c", "d"], [None, "e", "f", "g", "h"]]
    items = excel.read_sheet(workbook(rows), cell_range="B2:D3", header_row=1)
    assert items == [{"이름": "a", "이름_2": "b", "D": "c"}]  # an unnamed column is named by its letter
    no_header = excel.read_sheet(workbook(rows), cell_range="C3:D4", header_row=0)
    assert no_header == [{"C": "b", "D": "c"}, {"C": "f", "D": "g"}]


def test_row_limit_and_bad_range():
    data = workbook([["n"]] + [[i] for i in range(10)])
    with pytest.raises(NodeError) as caught:
        excel.read_sheet(data, max_rows=5)
    assert caught.value.code == "too_many_rows"
    with pytest.raises(NodeError) as caught:
        excel.read_sheet(data, cell_range="not a range")
    assert caught.value.code == "bad_range"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"hello, not a workbook", "bad_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "xlsx_old_or_encrypted"),
    ],
)
def test_wrong_or_damaged_files_are_clear_errors(data, code):
    with pytest.raises(NodeError) as caught:
        excel.read_sheet(data)
    assert caught.value.code == code


def test_a_zip_that_is_not_a_workbook_and_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(NodeError) as caught:
        excel.read_sheet(buffer.getvalue())
    assert caught.value.code == "bad_xlsx"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 50_000_000)
    with pytest.raises(NodeError) as caught:
        excel.read_sheet(bomb.getvalue())
    assert caught.value.code == "zip_bomb"


def test_write_workbook_round_trip_with_dates_numbers_and_no_formula_injection():
    items = [
        {"이름": "홍길동", "금액": 1200, "날짜": "2026-03-01", "메모": '=HYPERLINK("http://x")', "태그": ["a", "b"]},
        {"이름": "김철수", "금액": 3.5, "날짜": "2026-03-02T09:15:00", "추가": True},
    ]
    data = excel.write_workbook(items, sheet_name="결과")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["결과"]
    assert [c.value for c in sheet[1]] == ["이름", "금액", "날짜", "메모", "태그", "추가"]
    assert sheet["A1"].font.bold
    assert sheet["C2"].value == dt.datetime(2026, 3, 1) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].data_type == "s" and sheet["D2"].value.startswith("=HYPERLINK")
    assert sheet["E2"].value == '["a", "b"]'
    assert excel.read_sheet(data)[1] == {
        "이름": "김철수",
        "금액": 3.5,
        "날짜": "2026-03-02T09:15:00",
        "메모": None,
        "태그": None,
        "추가": True,
    }


def test_formulas_are_written_when_asked():
    data = excel.write_workbook([{"a": 1, "b": "=A2*2"}], formulas=True)
    assert openpyxl.load_workbook(io.BytesIO(data)).active["B2"].data_type == "f"


def test_append_keeps_the_template_and_matches_columns_by_header():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(["Name", "Amount"])
    sheet["A1"].font = openpyxl.styles.Font(bold=True, color="FF0000")
    sheet.append(["first", 10])
    sheet["D1"] = "=SUM(B:B)"
    book.create_sheet("Notes")["A1"] = "keep me"
    buffer = io.BytesIO()
    book.save(buffer)
    out = excel.append_rows(buffer.getvalue(), [{"Amount": 20, "Name": "second", "New": "x"}, {"Name": "third"}], sheet="Orders")
    result = openpyxl.load_workbook(io.BytesIO(out))
    orders = result["Orders"]
    assert [[c.value for c in row] for row in orders.iter_rows(min_row=1, max_row=4, max_col=5)] == [
        ["Name", "Amount", None, "=SUM(B:B)", "New"],
        ["first", 10, None, None, None],
        ["second", 20, None, None, "x"],
        ["third", None, None, None, None],
    ]
    assert orders["A1"].font.color.rgb.endswith("FF0000")
    assert result["Notes"]["A1"].value == "keep me"
    fixed = excel.append_rows(buffer.getvalue(), [{"Name": "at five"}], sheet="Orders", start_row=5, add_columns=False)
    assert openpyxl.load_workbook(io.BytesIO(fixed))["Orders"]["A5"].value == "at five"


def test_append_to_an_empty_sheet_writes_the_header():
    out = excel.append_rows(excel.write_workbook([], sheet_name="S"), [{"a": 1, "b": 2}])
    assert excel.read_sheet(out) == [{"a": 1, "b": 2}]


def test_csv_reads_utf8_bom_and_cp949_and_writes_excel_friendly_utf8():
    text = "이름,금액\r\n홍길동,1200\r\n\r\n김철수,300\r\n"
    expected = [{"이름": "홍길동", "금액": "1200"}, {"이름": "김철수", "금액": "300"}]
    assert csvfile.read_csv(text.encode("cp949")) == expected
    assert csvfile.read_csv(text.encode("utf-8-sig")) == expected
    assert csvfile.read_csv(text.encode("utf-16")) == expected
    data = csvfile.write_csv(expected + [{"이름": "세미,콜론", "비고": {"$file": "x", "name": "a.pdf"}}])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["이름,금액,비고", "홍길동,1200,", "김철수,300,", '"세미,콜론",,a.pdf']


def test_csv_errors_and_options():
    with pytest.raises(NodeError) as caught:
        csvfile.read_csv(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert caught.value.code in ("bad_csv", "bad_encoding")
    with pytest.raises(NodeError) as caught:
        csvfile.read_csv("가".encode(), encoding="ascii")
    assert caught.value.code == "bad_encoding"
    with pytest.raises(NodeError) as caught:
        csvfile.write_csv([{"a": "漢字 😀"}], encoding="cp949")
    assert caught.value.code == "bad_encoding"
    assert csvfile.read_csv(b"a\tb\n1\t2\n", delimiter="tab", header=False) == [
        {"column_1": "a", "column_2": "b"},
        {"column_1": "1", "column_2": "2"},
    ]
