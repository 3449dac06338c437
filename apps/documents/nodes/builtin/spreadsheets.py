"""Excel (.xlsx) and CSV files: read into items, write items into a new file, into a template or onto a sheet."""

from __future__ import annotations

from apps.documents import csvfile, excel
from apps.documents import n8n as from_n8n
from apps.documents.common import is_ole
from apps.documents.isolated import Documents
from apps.documents.nodes.common import (
    MIME,
    columns_param,
    derived_name,
    file_name_param,
    file_param,
    max_rows_param,
    output_field_param,
    read_file,
    save_file,
)
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

FORMULAS = Param(
    "formulas",
    "boolean",
    t("Text starting with = is a formula", "=로 시작하는 텍스트를 수식으로"),
    default=False,
    expressions=False,
    help=t(
        "Off: such text is written as text, so data from outside cannot put formulas into the workbook.",
        "끄면 그런 텍스트도 글자로 씁니다. 외부에서 온 데이터가 통합 문서에 수식을 넣지 못합니다.",
    ),
)
SHEET = Param(
    "sheet",
    "string",
    t("Sheet (name or number; empty: the first)", "시트 (이름이나 번호, 비우면 첫 시트)"),
    default="",
)
HEADER_ROW = Param(
    "header_row",
    "integer",
    t("Header row (0: none)", "머리글 행 (0이면 없음)"),
    default=1,
    minimum=0,
    maximum=1000,
    expressions=False,
    help=t(
        "Counted from the top of the range. Its cells name the fields; without one, columns are named A, B, C…",
        "범위의 맨 위부터 셉니다. 이 행의 값이 필드 이름이 되고, 없으면 열 이름은 A, B, C…가 됩니다.",
    ),
)
ENCODING = Param(
    "encoding",
    "select",
    t("Encoding", "인코딩"),
    default="auto",
    expressions=False,
    options=(
        ("auto", t("Automatic (UTF-8, then CP949)", "자동 (UTF-8, 그다음 CP949)")),
        ("utf-8", t("UTF-8", "UTF-8")),
        ("utf-8-sig", t("UTF-8 with BOM (Excel)", "BOM 있는 UTF-8 (Excel)")),
        ("cp949", t("CP949 / EUC-KR (Korean Excel)", "CP949 / EUC-KR (한국어 Excel)")),
        ("utf-16", t("UTF-16", "UTF-16")),
    ),
)
DELIMITER = Param(
    "delimiter",
    "select",
    t("Delimiter", "구분자"),
    default=",",
    expressions=False,
    options=((",", t("Comma", "쉼표")), (";", t("Semicolon", "세미콜론")), ("tab", t("Tab", "탭")), ("|", t("Vertical bar", "세로 막대"))),
)


@register
class ExcelRead(NodeType):
    key = "documents.excel_read"
    n8n = (N8nMapping((from_n8n.EXTRACT,), from_n8n.excel_read, when=from_n8n.extract_is("xlsx", "xls")),)
    category = "documents"
    icon = "sheet"
    blocking = True
    label = t("Read Excel", "Excel 읽기")
    description = t(
        "Reads the rows of a sheet of an .xlsx (or old .xls) file into items: one item per row, fields named by the header row.",
        ".xlsx(또는 예전 .xls) 파일 시트의 행을 항목으로 읽습니다. 행마다 항목 하나이며 필드 이름은 머리글 행에서 옵니다.",
    )
    aliases = ("excel", "xlsx", "spreadsheet", "엑셀", "스프레드시트")
    params = (
        file_param(),
        SHEET,
        Param(
            "range",
            "string",
            t("Range (empty: the whole sheet)", "범위 (비우면 시트 전체)"),
            default="",
            help=t("For example A1:F200 or B:E.", "예: A1:F200, B:E"),
        ),
        HEADER_ROW,
        Param("skip_empty", "boolean", t("Skip empty rows", "빈 행 건너뛰기"), default=True, expressions=False),
        max_rows_param(),
    )

    def execute(self, ctx):
        with Documents(ctx, "excel", "legacy") as docs:
            out = []
            for _index, item, params in ctx.each():
                data, _ref = read_file(ctx, item, params["file_field"])
                out.extend(
                    docs.call(
                        "legacy.read_xls" if is_ole(data) else "excel.read_sheet",  # .xls (or a password-protected .xlsx)
                        data,
                        sheet=params["sheet"],
                        header_row=int(params["header_row"] or 0),
                        cell_range=params["range"],
                        skip_empty=bool(params["skip_empty"]),
                        max_rows=int(params["max_rows"]),
                    )
                )
            return {"main": out}


@register
class ExcelWrite(NodeType):
    key = "documents.excel_write"
    category = "documents"
    icon = "sheet"
    blocking = True
    per_item = False
    label = t("Write Excel", "Excel 쓰기")
    description = t(
        "Writes all items into a new .xlsx workbook: a header row, then one row per item.",
        "모든 항목을 새 .xlsx 통합 문서에 씁니다. 머리글 행 아래에 항목마다 한 행입니다.",
    )
    aliases = ("write excel", "excel file", "엑셀 파일", "엑셀로 저장", "엑셀로 내보내기")
    params = (
        file_name_param("data.xlsx"),
        Param("sheet_name", "string", t("Sheet name", "시트 이름"), default="Sheet1"),
        columns_param(),
        Param("header", "boolean", t("Header row", "머리글 행"), default=True, expressions=False),
        FORMULAS,
        output_field_param(),
    )

    def execute(self, ctx):
        params = ctx.params()
        data = excel.write_workbook(
            ctx.items,
            sheet_name=params["sheet_name"],
            columns=params["columns"] or None,
            header=bool(params["header"]),
            formulas=bool(params["formulas"]),
            check=ctx.check_deadline,
        )
        ref = save_file(ctx, data, name=derived_name(None, "xlsx", given=params["file_name"] or "data.xlsx"), mime_type=MIME["xlsx"])
        result: dict = {}
        set_path(result, params["output_field"] or "file", ref)
        result["rows"] = len(ctx.items)
        return {"main": [result]}


@register
class ExcelAppend(NodeType):
    key = "documents.excel_append"
    category = "documents"
    icon = "sheet"
    blocking = True
    per_item = False
    label = t("Add rows to Excel", "Excel에 행 추가")
    description = t(
        "Writes the items as rows into a workbook or a template, the file in the first item (matched to its header "
        "row); styles, formulas and other sheets stay as they are. The file field is not written; an item holding only "
        "the file adds no row. The result is a new file.",
        "항목을 통합 문서나 서식 파일(첫 항목의 파일)에 행으로 씁니다(머리글 행에 맞춤). 서식, 수식, 다른 시트는 "
        "그대로입니다. 파일 필드는 쓰지 않으며 파일만 든 항목은 행이 되지 않습니다. 결과는 새 파일입니다.",
    )
    aliases = ("excel template", "append to excel", "엑셀 서식", "엑셀 양식")
    params = (
        file_param(t("Field of the workbook or template", "통합 문서나 서식 파일이 든 필드")),
        SHEET,
        HEADER_ROW,
        Param(
            "start_row",
            "integer",
            t("First row to write (empty: after the last filled row)", "쓰기 시작할 행 (비우면 마지막 행 다음)"),
            default=None,
            minimum=1,
            maximum=1_048_576,
            expressions=False,
        ),
        Param("add_columns", "boolean", t("Add columns for new fields", "새 필드는 열을 추가"), default=True, expressions=False),
        Param(
            "skip_fields",
            "list",
            t("Fields not to write", "쓰지 않을 필드"),
            default=[],
            expressions=False,
        ),
        FORMULAS,
        file_name_param(),
        output_field_param(),
    )

    def execute(self, ctx):
        with Documents(ctx) as docs:
            params = ctx.params()
            if not ctx.items:
                return {"main": []}
            data, ref = read_file(ctx, ctx.items[0], params["file_field"])
            skip = set(params["skip_fields"] or []) | {str(params["file_field"] or "file").split(".")[0]}
            rows = [row for row in ({k: v for k, v in item.items() if k not in skip} for item in ctx.items) if row]
            out = docs.call(
                "excel.append_rows",
                data,
                rows,
                sheet=params["sheet"],
                header_row=int(params["header_row"] or 0),
                start_row=int(params["start_row"]) if params["start_row"] else None,
                add_columns=bool(params["add_columns"]),
                formulas=bool(params["formulas"]),
            )
            new_ref = save_file(ctx, out, name=derived_name(ref, "xlsx", given=params["file_name"]), mime_type=MIME["xlsx"])
            result: dict = {}
            set_path(result, params["output_field"] or "file", new_ref)
            result["rows"] = len(rows)
            return {"main": [result]}


@register
class CsvRead(NodeType):
    key = "documents.csv_read"
    n8n = (N8nMapping((from_n8n.EXTRACT,), from_n8n.csv_read, when=from_n8n.extract_is("csv")),)
    category = "documents"
    icon = "table"
    blocking = True
    label = t("Read CSV file", "CSV 파일 읽기")
    description = t(
        "Reads a CSV file into items, one per row; Korean files saved by Excel (CP949) are recognised.",
        "CSV 파일을 행마다 항목 하나로 읽습니다. Excel이 저장한 한국어 파일(CP949)도 알아봅니다.",
    )
    aliases = ("csv", "tsv", "씨에스브이")
    params = (
        file_param(),
        ENCODING,
        DELIMITER,
        Param("header", "boolean", t("First row is the header", "첫 행은 머리글"), default=True, expressions=False),
        Param("skip_empty", "boolean", t("Skip empty rows", "빈 행 건너뛰기"), default=True, expressions=False),
        max_rows_param(),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            data, _ref = read_file(ctx, item, params["file_field"])
            out.extend(
                csvfile.read_csv(
                    data,
                    encoding=params["encoding"],
                    delimiter=params["delimiter"],
                    header=bool(params["header"]),
                    skip_empty=bool(params["skip_empty"]),
                    max_rows=int(params["max_rows"]),
                    check=ctx.check_deadline,
                )
            )
        return {"main": out}


@register
class CsvWrite(NodeType):
    key = "documents.csv_write"
    category = "documents"
    icon = "table"
    blocking = True
    per_item = False
    label = t("Write CSV file", "CSV 파일 쓰기")
    description = t("Writes all items into a new CSV file, one row per item.", "모든 항목을 새 CSV 파일에 항목마다 한 행씩 씁니다.")
    aliases = ("write csv", "csv export", "csv 파일", "csv로 저장")
    params = (
        file_name_param("data.csv"),
        columns_param(),
        Param(
            "encoding",
            "select",
            t("Encoding", "인코딩"),
            default="utf-8-sig",
            expressions=False,
            options=(
                ("utf-8-sig", t("UTF-8 with BOM (opens in Excel)", "BOM 있는 UTF-8 (Excel에서 열림)")),
                ("utf-8", t("UTF-8", "UTF-8")),
                ("cp949", t("CP949 / EUC-KR", "CP949 / EUC-KR")),
            ),
        ),
        DELIMITER,
        Param("header", "boolean", t("Header row", "머리글 행"), default=True, expressions=False),
        output_field_param(),
    )

    def execute(self, ctx):
        params = ctx.params()
        data = csvfile.write_csv(
            ctx.items,
            columns=params["columns"] or None,
            encoding=params["encoding"],
            delimiter=params["delimiter"],
            header=bool(params["header"]),
            check=ctx.check_deadline,
        )
        ref = save_file(ctx, data, name=derived_name(None, "csv", given=params["file_name"] or "data.csv"), mime_type=MIME["csv"])
        result: dict = {}
        set_path(result, params["output_field"] or "file", ref)
        result["rows"] = len(ctx.items)
        return {"main": [result]}
