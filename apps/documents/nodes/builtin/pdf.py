"""PDF steps: text and tables out of a PDF, split and merge, and a PDF made from an HTML template."""

from __future__ import annotations

from apps.documents import n8n as from_n8n
from apps.documents import pdf_html
from apps.documents.isolated import Documents
from apps.documents.nodes.common import MIME, derived_name, file_name_param, file_param, output_field_param, read_file, save_file
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

PAGES = Param(
    "pages",
    "string",
    t("Pages (empty: all)", "페이지 (비우면 전체)"),
    default="",
    help=t("For example 1-3, 5, 8- (8 to the end).", "예: 1-3, 5, 8- (8쪽부터 끝까지)"),
)
PASSWORD = Param(
    "password",
    "string",
    t("Password (if the PDF has one)", "암호 (PDF에 있으면)"),
    default="",
)


@register
class PdfText(NodeType):
    key = "documents.pdf_text"
    n8n = (N8nMapping((from_n8n.EXTRACT,), from_n8n.pdf_text, when=from_n8n.extract_is("pdf")),)
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Extract PDF text", "PDF 텍스트 추출")
    description = t(
        "Takes the text out of a PDF, page by page. Scanned PDFs have no text: use OCR for them.",
        "PDF에서 페이지별로 텍스트를 뽑습니다. 스캔한 PDF에는 텍스트가 없으니 OCR을 쓰세요.",
    )
    aliases = ("pdf", "pdf text", "피디에프", "pdf 텍스트", "pdf 내용")
    secret_params = ("password",)
    params = (
        file_param(),
        PAGES,
        Param(
            "output",
            "select",
            t("Output", "출력"),
            default="document",
            expressions=False,
            options=(
                ("document", t("One item per file (text and pages)", "파일마다 항목 하나 (텍스트와 페이지)")),
                ("pages", t("One item per page", "페이지마다 항목 하나")),
            ),
        ),
        Param("layout", "boolean", t("Keep the layout (columns, spacing)", "배치 유지 (단, 간격)"), default=False, expressions=False),
        PASSWORD,
        Param("output_field", "string", t("Put the text in field", "텍스트를 넣을 필드"), default="text", expressions=False),
    )

    def execute(self, ctx):
        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, ref = read_file(ctx, item, params["file_field"])
                pages = docs.call(
                    "pdf.extract_text", data, pages=params["pages"], password=params["password"], layout=bool(params["layout"])
                )
                if params["output"] == "pages":
                    out.extend(
                        {"page": page["page"], params["output_field"] or "text": page["text"], "file_name": ref.get("name")}
                        for page in pages
                    )
                    continue
                result = copy_item(item)
                set_path(result, params["output_field"] or "text", "\n\n".join(page["text"] for page in pages))
                result["pages"] = pages
                result["page_count"] = docs.call("pdf.page_count", data, password=params["password"])
                out.append(result)
            return {"main": out}


@register
class PdfTables(NodeType):
    key = "documents.pdf_tables"
    category = "documents"
    icon = "table"
    blocking = True
    label = t("Extract PDF tables", "PDF 표 추출")
    description = t(
        "Finds the tables of a PDF (by their lines and the alignment of text) and gives their rows as items.",
        "PDF의 표를 (선과 글자 정렬로) 찾아 그 행을 항목으로 내보냅니다.",
    )
    aliases = ("pdf table", "pdf 표", "피디에프 표")
    secret_params = ("password",)
    params = (
        file_param(),
        PAGES,
        Param(
            "output",
            "select",
            t("Output", "출력"),
            default="rows",
            expressions=False,
            options=(
                ("rows", t("One item per row (first row as field names)", "행마다 항목 하나 (첫 행이 필드 이름)")),
                ("tables", t("One item per table (rows as lists)", "표마다 항목 하나 (행은 목록)")),
            ),
        ),
        Param(
            "detect",
            "select",
            t("Find tables by", "표 찾는 방법"),
            default="lines",
            expressions=False,
            options=(
                ("lines", t("Their lines (borders)", "선 (테두리)")),
                ("text", t("Text in columns (tables without lines)", "열로 정렬된 글자 (선 없는 표)")),
            ),
        ),
        PASSWORD,
    )

    def execute(self, ctx):
        from apps.documents.common import unique_headers

        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, _ref = read_file(ctx, item, params["file_field"])
                tables = docs.call(
                    "pdf.extract_tables", data, pages=params["pages"], password=params["password"], lines=params["detect"] != "text"
                )
                if params["output"] == "tables":
                    out.extend(tables)
                    continue
                for table in tables:
                    header = unique_headers([cell.replace("\n", " ") for cell in table["rows"][0]])
                    for row in table["rows"][1:]:
                        out.append({name: (row[i] if i < len(row) else "") for i, name in enumerate(header)})
            return {"main": out}


@register
class PdfSplit(NodeType):
    key = "documents.pdf_split"
    category = "documents"
    icon = "scissors"
    blocking = True
    label = t("Split PDF", "PDF 나누기")
    description = t(
        "Cuts a PDF into several: one per page, or one per range of pages. Each becomes an item with a file.",
        "PDF를 여러 개로 나눕니다. 페이지마다, 또는 페이지 범위마다 하나씩이며 각각 파일이 든 항목이 됩니다.",
    )
    aliases = ("split pdf", "pdf 분할", "pdf 나누기")
    secret_params = ("password",)
    params = (
        file_param(),
        Param(
            "ranges",
            "string",
            t("Page ranges (empty: every page)", "페이지 범위 (비우면 페이지마다)"),
            default="",
            help=t("Each range makes one file, for example 1-2, 3-5, 6-.", "범위마다 파일 하나가 됩니다. 예: 1-2, 3-5, 6-"),
        ),
        PASSWORD,
        output_field_param(),
    )

    def execute(self, ctx):
        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, ref = read_file(ctx, item, params["file_field"])
                for part in docs.call("pdf.split", data, ranges=params["ranges"], password=params["password"]):
                    name = derived_name(ref, "pdf", suffix=f"_p{part['pages'].replace(' ', '')}")
                    result = {"pages": part["pages"]}
                    set_path(result, params["output_field"] or "file", save_file(ctx, part["data"], name=name, mime_type=MIME["pdf"]))
                    out.append(result)
            return {"main": out}


@register
class PdfMerge(NodeType):
    key = "documents.pdf_merge"
    category = "documents"
    icon = "merge"
    blocking = True
    per_item = False
    label = t("Merge PDFs", "PDF 합치기")
    description = t(
        "Joins the PDF files of all items, in their order, into one PDF.", "모든 항목의 PDF 파일을 순서대로 하나의 PDF로 합칩니다."
    )
    aliases = ("merge pdf", "combine pdf", "pdf 병합", "pdf 합치기")
    params = (file_param(), file_name_param("merged.pdf"), output_field_param())

    def execute(self, ctx):
        with Documents(ctx) as docs:
            documents = []
            first = None
            for _index, item, params in ctx.each():
                data, _ref = read_file(ctx, item, params["file_field"])
                documents.append(data)
                first = first or params
            if not documents:
                raise NodeError(gettext_noop("There are no PDF files to merge."), code="nothing_to_merge")
            merged = docs.call("pdf.merge", documents)
            ref = save_file(ctx, merged, name=derived_name(None, "pdf", given=first["file_name"] or "merged.pdf"), mime_type=MIME["pdf"])
            result = {"files": len(documents), "page_count": docs.call("pdf.page_count", merged)}
            set_path(result, first["output_field"] or "file", ref)
            return {"main": [result]}


DEFAULT_HTML = """<h1>{{ title }}</h1>
<p>{{ name }}</p>
<table border="1">
  <thead><tr><th>Item</th><th>Amount</th></tr></thead>
  <tbody><tr data-each="row in rows"><td>{{ row.item }}</td><td>{{ row.amount }}</td></tr></tbody>
</table>"""


@register
class PdfFromHtml(NodeType):
    key = "documents.pdf_from_html"
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Create PDF from HTML", "HTML로 PDF 만들기")
    description = t(
        "Fills an HTML template with values and makes a PDF of it, with a Korean font embedded. {{ name }} shows a "
        'value; data-each="row in rows" repeats an element (a table row) for each entry of a list.',
        "HTML 서식에 값을 채워 PDF로 만듭니다(한글 글꼴 포함). {{ name }}은 값을 보여 주고, "
        'data-each="row in rows"는 목록의 항목마다 요소(표의 행)를 반복합니다.',
    )
    aliases = ("html to pdf", "make a pdf", "pdf report", "pdf 만들기", "pdf 보고서", "pdf로 만들기")
    params = (
        Param(
            "html",
            "code",
            t("HTML template", "HTML 서식"),
            required=True,
            default=DEFAULT_HTML,
            template=True,
            help=t(
                "Placeholders are expressions over the values: {{ title }}, {{ amount | round }}, {{ now().year }}. "
                "Images only as data: URIs.",
                "자리표시자는 값에 대한 표현식입니다: {{ title }}, {{ amount | round }}, {{ now().year }}. "
                "이미지는 data: URI로만 넣을 수 있습니다.",
            ),
        ),
        Param(
            "values",
            "json",
            t("Values", "값"),
            default="{{ json }}",
            help=t("Empty or {{ json }}: the fields of the item.", "비우거나 {{ json }}이면 항목의 필드를 씁니다."),
        ),
        Param(
            "orientation",
            "select",
            t("Orientation", "방향"),
            default="portrait",
            expressions=False,
            options=(("portrait", t("Portrait", "세로")), ("landscape", t("Landscape", "가로"))),
        ),
        Param(
            "page_format",
            "select",
            t("Paper", "용지"),
            default="A4",
            expressions=False,
            options=tuple((size, t(size, size)) for size in ("A4", "A3", "A5", "Letter", "Legal")),
        ),
        file_name_param("document.pdf"),
        output_field_param(),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            values = params["values"]
            if values in (None, "", {}):
                values = item
            if not isinstance(values, dict):
                raise NodeError(gettext_noop("The values must be an object with named fields, such as {{ json }}."), code="bad_values")
            data = pdf_html.render_pdf(params["html"], values=values, orientation=params["orientation"], page_format=params["page_format"])
            result = copy_item(item)
            name = derived_name(None, "pdf", given=params["file_name"] or "document.pdf")
            set_path(result, params["output_field"] or "file", save_file(ctx, data, name=name, mime_type=MIME["pdf"]))
            out.append(result)
        return {"main": out}
