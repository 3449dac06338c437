"""Word (.docx) and HWP/HWPX (한글) steps: fill a template, extract the text."""

from __future__ import annotations

from apps.documents.common import is_ole
from apps.documents.isolated import Documents
from apps.documents.nodes.common import MIME, derived_name, file_name_param, file_param, output_field_param, read_file, save_file
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

VALUES = Param(
    "values",
    "json",
    t("Values", "값"),
    default="{{ json }}",
    help=t(
        "The template's {{ name }} placeholders take these values. Empty or {{ json }}: the fields of the item.",
        "서식의 {{ name }} 자리표시자에 들어갈 값입니다. 비우거나 {{ json }}이면 항목의 필드를 씁니다.",
    ),
)
TEXT_FIELD = Param("output_field", "string", t("Put the text in field", "텍스트를 넣을 필드"), default="text", expressions=False)


def _values(params: dict, item: dict) -> dict:
    values = params["values"]
    if values in (None, "", {}):
        return item
    if not isinstance(values, dict):
        raise NodeError(gettext_noop("The values must be an object with named fields, such as {{ json }}."), code="bad_values")
    return values


@register
class WordFill(NodeType):
    key = "documents.word_fill"
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Fill Word template", "Word 서식 채우기")
    description = t(
        "Replaces the {{ placeholders }} of a .docx template (text, tables, headers and footers) with values, keeping "
        "their formatting, and gives the new document as a file.",
        ".docx 서식의 {{ 자리표시자 }}(본문, 표, 머리글, 바닥글)를 값으로 바꾸고 서식은 유지한 채 새 문서를 파일로 냅니다.",
    )
    aliases = ("word", "docx", "word template", "contract", "워드", "워드 서식", "계약서")
    params = (file_param(t("Template (.docx)", "서식 (.docx)")), VALUES, file_name_param(), output_field_param())

    def execute(self, ctx):
        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, ref = read_file(ctx, item, params["file_field"])
                filled = docs.call("word.fill_template", data, _values(params, item))
                result = copy_item(item)
                name = derived_name(ref, "docx", given=params["file_name"])
                set_path(result, params["output_field"] or "file", save_file(ctx, filled, name=name, mime_type=MIME["docx"]))
                out.append(result)
            return {"main": out}


@register
class WordText(NodeType):
    key = "documents.word_text"
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Extract Word text", "Word 텍스트 추출")
    description = t(
        "Takes the text out of a .docx document: paragraphs and tables in order.", ".docx 문서에서 문단과 표의 텍스트를 순서대로 뽑습니다."
    )
    aliases = ("word text", "docx text", "워드 텍스트", "워드 내용")
    params = (file_param(), TEXT_FIELD)

    def execute(self, ctx):
        with Documents(ctx, "word", "legacy") as docs:
            out = []
            for _index, item, params in ctx.each():
                data, _ref = read_file(ctx, item, params["file_field"])
                extracted = docs.call("legacy.doc_text" if is_ole(data) else "word.extract_text", data)  # .doc: Word 97-2003
                result = copy_item(item)
                set_path(result, params["output_field"] or "text", extracted["text"])
                result["paragraphs"] = extracted["paragraphs"]
                result["tables"] = extracted["tables"]
                out.append(result)
            return {"main": out}


@register
class HwpText(NodeType):
    key = "documents.hwp_text"
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Extract HWP text", "한글(HWP) 텍스트 추출")
    description = t(
        "Takes the text out of a Hancom Office document, .hwp or .hwpx (recognised from the file itself).",
        "한글 문서(.hwp, .hwpx)에서 텍스트를 뽑습니다. 형식은 파일 내용으로 알아봅니다.",
    )
    aliases = ("hwp", "hwpx", "hancom", "한글 문서", "한글 파일", "한컴", "공문")
    params = (file_param(), TEXT_FIELD)

    def execute(self, ctx):
        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, _ref = read_file(ctx, item, params["file_field"])
                if not is_ole(data) and data[:2] != b"PK":
                    raise NodeError(gettext_noop("The file is neither an HWP nor an HWPX document (a Hancom Office file)."), code="not_hwp")
                reader = "hwp.hwp_text" if is_ole(data) else "hwp.hwpx_text"
                extracted = docs.call(reader, data)
                result = copy_item(item)
                set_path(result, params["output_field"] or "text", extracted["text"])
                result["paragraphs"] = extracted["paragraphs"]
                out.append(result)
            return {"main": out}


@register
class HwpxFill(NodeType):
    key = "documents.hwpx_fill"
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Fill HWPX template", "한글(HWPX) 서식 채우기")
    description = t(
        "Fills an .hwpx template: its click-here fields (누름틀) by name and its {{ placeholders }} in the text. "
        "Save .hwp templates as .hwpx in Hancom Office first.",
        ".hwpx 서식의 누름틀(이름으로)과 본문의 {{ 자리표시자 }}를 채웁니다. .hwp 서식은 한글에서 .hwpx로 저장해 쓰세요.",
    )
    aliases = ("hwp template", "hwpx template", "한글 서식", "누름틀")
    params = (file_param(t("Template (.hwpx)", "서식 (.hwpx)")), VALUES, file_name_param(), output_field_param())

    def execute(self, ctx):
        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, ref = read_file(ctx, item, params["file_field"])
                filled = docs.call("hwp.hwpx_fill", data, _values(params, item))
                result = copy_item(item)
                name = derived_name(ref, "hwpx", given=params["file_name"])
                set_path(result, params["output_field"] or "file", save_file(ctx, filled, name=name, mime_type=MIME["hwpx"]))
                out.append(result)
            return {"main": out}
