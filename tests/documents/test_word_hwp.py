"""Word templates and text; HWPX text and templates; HWP 5 text from an OLE file built here."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.shared import RGBColor

from apps.documents import hwp, word
from apps.flows.engine.errors import NodeError
from tests.documents import builders


def word_template() -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph("계약자: ")
    split = paragraph.add_run("{{ na")
    split.bold = True
    split.font.color.rgb = RGBColor(0xFF, 0, 0)
    paragraph.add_run("me }} 님, 금액 {{ amount | round }}원, 날짜 {{ date }}")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "품목"
    table.cell(0, 1).text = "{{ item }}"
    inner = table.cell(1, 0).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "nested {{ item }}"
    document.sections[0].header.paragraphs[0].text = "머리말 {{ name }}"
    document.sections[0].footer.paragraphs[0].text = "꼬리말 {{ now().year > 2000 }}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_template_across_runs_keeps_formatting_and_fills_tables_headers_footers():
    out = word.fill_template(word_template(), {"name": "홍길동", "amount": 1200.4, "date": "2026-03-01", "item": "사과"})
    document = docx.Document(io.BytesIO(out))
    runs = document.paragraphs[0].runs
    assert "".join(r.text for r in runs) == "계약자: 홍길동 님, 금액 1200원, 날짜 2026-03-01"
    assert runs[1].text == "홍길동" and runs[1].bold and runs[1].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert document.tables[0].cell(0, 1).text == "사과"
    assert document.tables[0].cell(1, 0).tables[0].cell(0, 0).text == "nested 사과"
    assert document.sections[0].header.paragraphs[0].text == "머리말 홍길동"
    assert document.sections[0].footer.paragraphs[0].text == "꼬리말 true"


def test_word_missing_value_names_the_placeholder():
    with pytest.raises(NodeError) as caught:
        word.fill_template(word_template(), {"name": "x"})
    assert caught.value.code == "template_missing_value" and caught.value.values["placeholder"] == "amount | round"


def test_word_text_in_document_order_with_tables():
    out = word.fill_template(word_template(), {"name": "홍길동", "amount": 1, "date": "d", "item": "배"})
    result = word.extract_text(out)
    assert result["paragraphs"] == ["계약자: 홍길동 님, 금액 1원, 날짜 d"]
    assert result["tables"][0][0] == ["품목", "배"]
    assert result["text"].splitlines()[0] == "계약자: 홍길동 님, 금액 1원, 날짜 d"


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"plain text", "bad_docx"), (builders.compound_file({"WordDocument": b"x" * 10}), "docx_old_or_encrypted")],
    ids=["text", "doc"],
)
def test_word_wrong_files(data, code):
    with pytest.raises(NodeError) as caught:
        word.extract_text(data)
    assert caught.value.code == code


HWPX_BODY = (
    builders.hp_paragraph(builders.hp_run("공고 제{{ number }}호"), builders.hp_run("")),
    builders.hp_paragraph(
        '<hp:run charPrIDRef="1"><hp:t>신청인: {{ na</hp:t></hp:run>',
        '<hp:run charPrIDRef="2"><hp:t>me }}<hp:tab/>끝</hp:t></hp:run>',
    ),
    builders.hp_paragraph(
        '<hp:run charPrIDRef="0"><hp:tbl><hp:tr><hp:tc><hp:subList>'
        + builders.hp_paragraph(builders.hp_run("표 안 {{ number }}"))
        + "</hp:subList></hp:tc></hp:tr></hp:tbl></hp:run>",
        builders.hp_run("표 뒤"),
    ),
    builders.hp_paragraph(
        '<hp:run charPrIDRef="3"><hp:ctrl><hp:fieldBegin id="7" type="CLICK_HERE" name="주소"/></hp:ctrl></hp:run>',
        '<hp:run charPrIDRef="3"><hp:t>여기에 주소</hp:t></hp:run>',
        '<hp:run charPrIDRef="3"><hp:t> 입력</hp:t></hp:run>',
        '<hp:run charPrIDRef="3"><hp:ctrl><hp:fieldEnd beginIDRef="7"/></hp:ctrl></hp:run>',
    ),
    builders.hp_paragraph(
        '<hp:run charPrIDRef="4"><hp:ctrl><hp:fieldBegin id="8" type="CLICK_HERE" name="전화"/></hp:ctrl></hp:run>',
        '<hp:run charPrIDRef="4"><hp:ctrl><hp:fieldEnd beginIDRef="8"/></hp:ctrl></hp:run>',
    ),
)


def test_hwpx_text_in_order_with_tables_and_sections():
    data = builders.hwpx_document(["".join(HWPX_BODY), builders.hp_paragraph(builders.hp_run("둘째 구역 &amp; 끝"))])
    result = hwp.hwpx_text(data)
    assert result["paragraphs"] == [
        "공고 제{{ number }}호",
        "신청인: {{ name }}\t끝",
        "표 뒤",  # a paragraph holding a table comes before the table's own paragraphs
        "표 안 {{ number }}",
        "여기에 주소 입력",
        "",
        "둘째 구역 & 끝",
    ]


def test_hwpx_fill_placeholders_and_click_here_fields_keeping_the_package():
    template = builders.hwpx_document(["".join(HWPX_BODY)])
    out = hwp.hwpx_fill(template, {"number": 12, "name": "홍길동 <주>", "주소": "서울시 중구", "전화": "{{ number }}"})
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        section = archive.read("Contents/section0.xml").decode()
    assert 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"' in section and "<hp:t>" in section
    assert "홍길동 &lt;주&gt;" in section
    assert hwp.hwpx_text(out)["paragraphs"] == [
        "공고 제12호",
        "신청인: 홍길동 <주>\t끝",
        "표 뒤",
        "표 안 12",
        "서울시 중구",
        "{{ number }}",  # a value is text: never evaluated as a placeholder
    ]
    assert 'charPrIDRef="2"><hp:t><hp:tab/>끝' in section  # the second run kept its formatting and its tab


def test_hwpx_wrong_files():
    for data, code in [
        (b"nothing", "bad_hwpx"),
        (builders.hwp_document([[builders.para_text("x")]]), "hwp_not_hwpx"),
        (builders.hwpx_document([])[:-30], "bad_hwpx"),
        (builders.hwpx_document(["<hp:p><unclosed></hp:p>"]), "bad_hwpx"),
    ]:
        with pytest.raises(NodeError) as caught:
            hwp.hwpx_text(data)
        assert caught.value.code == code


def test_hwpx_with_an_entity_bomb_is_refused_without_expanding_it():
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        archive.writestr(
            "Contents/section0.xml",
            bomb + f'<hs:sec xmlns:hs="{builders.HS}" xmlns:hp="{builders.HP}"><hp:p><hp:run><hp:t>&c;</hp:t></hp:run></hp:p></hs:sec>',
        )
    result = hwp.hwpx_text(buffer.getvalue())
    assert len(result["text"]) < 100


def test_hwp5_text_compressed_and_not_with_controls_tables_and_long_records():
    long_text = "가나다라" * 1500  # a PARA_TEXT record over 4095 bytes uses the extended size field
    data = builders.hwp_document(
        [
            [builders.para_text("안녕하세요, 한글 문서입니다."), builders.para_text("표 앞", controls=builders.extended_control())],
            [builders.para_text("탭\t뒤"), builders.para_text(long_text), builders.para_text("줄\n바꿈")],
        ]
    )
    result = hwp.hwp_text(data)
    assert result["paragraphs"] == ["안녕하세요, 한글 문서입니다.", "표 앞", "탭\t뒤", long_text, "줄\n바꿈"]
    plain = builders.hwp_document([[builders.para_text("압축 안 함 " * 400)]], compressed=False)
    assert hwp.hwp_text(plain)["text"] == "압축 안 함 " * 400


def test_hwp5_refuses_protected_distribution_and_broken_files_clearly():
    cases = [
        (builders.hwp_document([[builders.para_text("x")]], flags=0b10), "hwp_password"),
        (builders.hwp_document([[builders.para_text("x")]], flags=0b100), "hwp_distribution"),
        (builders.compound_file({"FileHeader": b"Not an HWP".ljust(256, b"\x00")}), "bad_hwp"),
        (builders.compound_file({"Workbook": b"x" * 100}), "bad_hwp"),
        (builders.hwpx_document([builders.hp_paragraph(builders.hp_run("x"))]), "hwpx_not_hwp"),
        (b"random bytes", "bad_hwp"),
    ]
    for data, code in cases:
        with pytest.raises(NodeError) as caught:
            hwp.hwp_text(data)
        assert caught.value.code == code
    header = b"HWP Document File".ljust(32, b"\x00") + b"\x00\x00\x01\x05" + b"\x01\x00\x00\x00"
    damaged = builders.compound_file({"FileHeader": header.ljust(256, b"\x00"), "BodyText/Section0": b"not deflate data \xff\xff"})
    with pytest.raises(NodeError) as caught:
        hwp.hwp_text(damaged)
    assert caught.value.code == "bad_hwp"


def test_word_table_rows_repeat_for_a_list_and_values_are_never_read_as_placeholders():
    document = docx.Document()
    document.add_paragraph("청구서 {{ customer }}")
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["품목", "수량", "금액"], strict=True):
        cell.text = text
    first = table.cell(1, 0).paragraphs[0]
    first.add_run("{{ each li")
    first.add_run("ne in lines }}")
    bold = first.add_run("{{ line.item }}")
    bold.bold = True
    table.cell(1, 1).text = "{{ line.qty }}"
    table.cell(1, 2).text = "{{ line.qty * line.price }}"
    table.cell(2, 0).text = "합계"
    table.cell(2, 2).text = "{{ lines | map(attribute='price') | sum }}"
    buffer = io.BytesIO()
    document.save(buffer)
    values = {
        "customer": "{{ lines }}",
        "lines": [{"item": "사과", "qty": 3, "price": 1200}, {"item": "{{ customer }}", "qty": 1, "price": 500}],
    }
    out = docx.Document(io.BytesIO(word.fill_template(buffer.getvalue(), values)))
    rows = [[cell.text for cell in row.cells] for row in out.tables[0].rows]
    assert rows == [["품목", "수량", "금액"], ["사과", "3", "3600"], ["{{ customer }}", "1", "500"], ["합계", "", "1700"]]
    assert out.paragraphs[0].text == "청구서 {{ lines }}"
    assert out.tables[0].cell(1, 0).paragraphs[0].runs[-1].bold
    empty = docx.Document(io.BytesIO(word.fill_template(buffer.getvalue(), {"customer": "x", "lines": []})))
    assert len(empty.tables[0].rows) == 2
    with pytest.raises(NodeError) as caught:
        word.fill_template(buffer.getvalue(), {"customer": "x", "lines": 5})
    assert caught.value.code == "bad_template"
