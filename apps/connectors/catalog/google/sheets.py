"""Google Sheets (Sheets API v4 values endpoints): read the rows of a range as items named by the header row, append
rows, update a row, look rows up by a column's value, and a polling trigger for new or changed rows.

Addresses: GET /v4/spreadsheets/{id}/values/{range}, POST …/values/{range}:append, PUT …/values/{range}
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values). Values are written with
valueInputOption=USER_ENTERED, so "2026-01-05" and "=SUM(A:A)" become a date and a formula as if typed."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from apps.connectors import n8n
from apps.connectors.catalog.google.common import GoogleOAuth2, PollContext, google_error, spreadsheet_id
from apps.connectors.http import Credential, Service, call
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

SHEETS = Service("google_sheets", "Google Sheets", "https://sheets.googleapis.com", google_error)
ROW_NUMBER = "row_number"


@register_credential_kind
class GoogleSheetsAccount(GoogleOAuth2):
    icon = "google_sheets"
    key = "google_sheets"
    label = t("Google Sheets (sign in with Google)", "Google 스프레드시트(Google 로그인)")
    scopes = ("https://www.googleapis.com/auth/spreadsheets",)


# ---- ranges and tables --------------------------------------------------------------------------------------------


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    value = 0
    for letter in letters.upper():
        value = value * 26 + ord(letter) - 64
    return value - 1


def a1_range(sheet, cells) -> str:
    """The A1 range from the form: a sheet (tab) name, cells such as A1:F, or both; the whole first sheet if neither."""
    sheet, cells = str(sheet or "").strip(), str(cells or "").strip().replace("$", "")
    if "!" in cells:
        return cells
    name = "'" + sheet.replace("'", "''") + "'" if sheet else ""
    if name and cells:
        return f"{name}!{cells}"
    return name or cells or "A:ZZZ"


_START = re.compile(r"^([A-Za-z]*)(\d*)")


def split_range(answered: str) -> tuple[str, int, int]:
    """From the range Google answers ("'My sheet'!B3:F10"): the sheet part with its "!", the first column and row."""
    prefix, _, cells = answered.rpartition("!")
    found = _START.match(cells.replace("$", ""))
    letters, digits = (found.group(1), found.group(2)) if found else ("", "")
    return (f"{prefix}!" if prefix else ""), column_index(letters) if letters else 0, int(digits) if digits else 1


def _headers(cells: list) -> list[str]:
    names, seen = [], {}
    for index, cell in enumerate(cells):
        name = str(cell).strip() or column_letters(index)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return names


class Table:
    """The rows of a range: header names and (sheet row number, {header: value}) per row below the header."""

    def __init__(self, answer: dict):
        self.prefix, self.first_column, first_row = split_range(str(answer.get("range", "")))
        values = answer.get("values") or []
        self.header = _headers(values[0]) if values else []
        self.rows: list[tuple[int, dict]] = []
        for offset, cells in enumerate(values[1:], start=1):
            if not any(str(c).strip() for c in cells):
                continue
            padded = list(cells) + [""] * (len(self.header) - len(cells))
            self.rows.append((first_row + offset, dict(zip(self.header, padded, strict=False))))

    def item(self, row_number: int, row: dict) -> dict:
        return {**row, ROW_NUMBER: row_number}

    def cells_of(self, values: dict, *, base: dict | None = None) -> list:
        unknown = [name for name in values if name not in self.header and name != ROW_NUMBER]
        if unknown:
            raise NodeError(
                gettext_noop("The sheet has no column “%(columns)s”. Its columns are: %(header)s."),
                code="sheets_unknown_column",
                values={"columns": "”, “".join(unknown), "header": ", ".join(self.header) or "-"},
            )
        merged = {**(base or {}), **values}
        return [cell_value(merged.get(name, "")) for name in self.header]

    def row_range(self, row_number: int) -> str:
        first, last = column_letters(self.first_column), column_letters(self.first_column + max(len(self.header), 1) - 1)
        return f"{self.prefix}{first}{row_number}:{last}{row_number}"


def cell_value(value):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _values_path(sheet_id: str, rng: str, suffix: str = "") -> str:
    return f"/v4/spreadsheets/{sheet_id}/values/{quote(rng, safe='')}{suffix}"


def read_table(ctx, credential: Credential, params: dict) -> tuple[str, Table]:
    sheet_id = spreadsheet_id(params.get("spreadsheet"))
    rng = a1_range(params.get("sheet"), params.get("range"))
    answer = call(
        ctx,
        SHEETS,
        "GET",
        _values_path(sheet_id, rng),
        credential=credential,
        query={"majorDimension": "ROWS", "valueRenderOption": "FORMATTED_VALUE"},
    )
    table = Table(answer.json() or {})
    if not table.header:
        raise NodeError(
            gettext_noop("The range %(range)s is empty: its first row must hold the column names."),
            code="sheets_no_header",
            values={"range": rng},
        )
    return sheet_id, table


def matches(row: dict, column: str, value) -> bool:
    return str(row.get(column, "")).strip() == str(value if value is not None else "").strip()


def _check_column(table: Table, column: str) -> None:
    if column not in table.header:
        raise NodeError(
            gettext_noop("The sheet has no column “%(columns)s”. Its columns are: %(header)s."),
            code="sheets_unknown_column",
            values={"columns": column, "header": ", ".join(table.header)},
        )


# ---- the form -----------------------------------------------------------------------------------------------------

CREDENTIAL = Param(
    "credential", "credential", t("Google account", "Google 계정"), required=True, credential_type="google_sheets", expressions=False
)
SPREADSHEET = Param(
    "spreadsheet",
    "string",
    t("Spreadsheet (address or ID)", "스프레드시트(주소 또는 ID)"),
    required=True,
    help=t(
        "Paste the address of the open spreadsheet from the browser; the Google account of the credential must have access to it.",
        "브라우저에 열린 스프레드시트의 주소를 붙여 넣으세요. 자격 증명의 Google 계정이 이 파일에 접근할 수 있어야 합니다.",
    ),
)
SHEET = Param(
    "sheet",
    "string",
    t("Sheet (tab) name", "시트(탭) 이름"),
    default="",
    help=t("For example Sheet1 or 시트1; empty means the first sheet.", "예: Sheet1, 시트1. 비워 두면 첫 번째 시트입니다."),
)
RANGE = Param(
    "range",
    "string",
    t("Cells (optional)", "셀 범위(선택)"),
    default="",
    help=t(
        "For example A1:F; the first row of the range holds the column names. Empty means the whole sheet.",
        "예: A1:F. 범위의 첫 행이 열 이름입니다. 비워 두면 시트 전체입니다.",
    ),
)
WHERE = (
    SPREADSHEET,
    SHEET,
    RANGE,
)


class _SheetsStep(NodeType):
    category = "action"
    icon = "google_sheets"


@register
class ReadRows(_SheetsStep):
    key = "google_sheets.read_rows"
    n8n = (N8nMapping(("n8n-nodes-base.googleSheets",), n8n.sheets_read, when=n8n.operation_in("read", resource="sheet")),)
    side_effects = True
    idempotent = True
    per_item = False
    label = t("Read Google Sheets rows", "Google 스프레드시트 행 읽기")
    aliases = ("read google sheets", "구글 스프레드시트 행 읽", "구글 시트 읽", "스프레드시트 읽")
    description = t(
        "One item per row of the sheet, with the column names of the first row as field names and the row's number.",
        "시트의 행마다 항목 하나를 만듭니다. 첫 행의 열 이름이 필드 이름이 되고 행 번호도 함께 나옵니다.",
    )
    params = (CREDENTIAL, *WHERE, Param("limit", "integer", t("At most (0: all rows)", "최대 개수(0: 모두)"), default=0, minimum=0))

    def execute(self, ctx):
        params = ctx.params()
        credential = Credential(ctx, params["credential"], "google_sheets")
        _, table = read_table(ctx, credential, params)
        rows = table.rows[: int(params.get("limit") or 0) or None]
        return {"main": [table.item(number, row) for number, row in rows]}


@register
class LookupRows(_SheetsStep):
    key = "google_sheets.lookup_rows"
    n8n = (N8nMapping(("n8n-nodes-base.googleSheets",), n8n.sheets_lookup, when=n8n.is_sheets_lookup),)
    side_effects = True
    idempotent = True
    label = t("Look up Google Sheets rows", "Google 스프레드시트 행 찾기")
    description = t(
        "The rows whose column holds the given value (for each incoming item).",
        "지정한 열에 주어진 값이 있는 행을 찾습니다(들어오는 항목마다).",
    )
    params = (
        CREDENTIAL,
        *WHERE,
        Param("column", "string", t("Column name", "열 이름"), required=True),
        Param("value", "string", t("Value to look for", "찾을 값"), default=""),
        Param("first_only", "boolean", t("Only the first match", "처음 찾은 행만"), default=False),
    )

    def execute(self, ctx):
        out, credential, tables = [], None, {}
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "google_sheets")
            where = (params.get("spreadsheet"), params.get("sheet"), params.get("range"))
            if where not in tables:
                tables[where] = read_table(ctx, credential, params)[1]
            table, column = tables[where], str(params["column"]).strip()
            _check_column(table, column)
            found = [table.item(number, row) for number, row in table.rows if matches(row, column, params.get("value"))]
            out.extend(found[:1] if params.get("first_only") else found)
        return {"main": out}


VALUES = Param(
    "values",
    "keyvalue",
    t("Values by column name", "열 이름별 값"),
    default={},
    help=t(
        "Column name → value. Empty: the item's own fields whose names are column names.",
        "열 이름 → 값. 비워 두면 항목의 필드 중 이름이 열 이름과 같은 것을 씁니다.",
    ),
)


def _values(params: dict, item: dict, table: Table) -> dict:
    values = params.get("values")
    if isinstance(values, dict) and values:
        return dict(values)
    return {k: v for k, v in item.items() if k in table.header}


@register
class AppendRows(_SheetsStep):
    key = "google_sheets.append_rows"
    n8n = (N8nMapping(("n8n-nodes-base.googleSheets",), n8n.sheets_append, when=n8n.operation_in("append", resource="sheet")),)
    side_effects = True
    label = t("Add Google Sheets rows", "Google 스프레드시트에 행 추가")
    aliases = ("append to google sheets", "구글 스프레드시트에 행 추가", "구글 시트에 추가", "스프레드시트에 추가", "시트에 기록")
    description = t(
        "Adds one row per incoming item below the table, as if typed (dates, numbers and formulas are recognised).",
        "들어오는 항목마다 표 아래에 행을 하나씩 추가합니다. 직접 입력한 것처럼 날짜·숫자·수식이 인식됩니다.",
    )
    params = (CREDENTIAL, *WHERE, VALUES)

    def execute(self, ctx):
        entries = list(ctx.each())
        if not entries:
            return {"main": []}
        first = entries[0][2]
        credential = Credential(ctx, first["credential"], "google_sheets")
        sheet_id, table = read_table(ctx, credential, first)
        rows = [table.cells_of(_values(params, item, table)) for _index, item, params in entries]
        rng = a1_range(first.get("sheet"), first.get("range"))
        answer = call(
            ctx,
            SHEETS,
            "POST",
            _values_path(sheet_id, rng, ":append"),
            credential=credential,
            query={"valueInputOption": "USER_ENTERED", "insertDataOption": "INSERT_ROWS"},
            json_body={"majorDimension": "ROWS", "values": rows},
        )
        updates = (answer.json() or {}).get("updates") or {}
        _, _, first_row = split_range(str(updates.get("updatedRange", "")))
        out = []
        for offset, (_index, item, _params) in enumerate(entries):
            result = copy_item(item)
            result["sheets"] = {ROW_NUMBER: first_row + offset, "updated_range": updates.get("updatedRange", "")}
            out.append(result)
        return {"main": out}


@register
class UpdateRow(_SheetsStep):
    key = "google_sheets.update_row"
    n8n = (N8nMapping(("n8n-nodes-base.googleSheets",), n8n.sheets_update, when=n8n.operation_in("update", resource="sheet")),)
    side_effects = True
    idempotent = True  # writing the same values twice leaves the same row
    label = t("Update a Google Sheets row", "Google 스프레드시트 행 수정")
    description = t(
        "Changes the given columns of one row, found by its number or by a column's value; other columns stay.",
        "행 번호나 열 값으로 찾은 행 하나에서 지정한 열만 바꿉니다. 다른 열은 그대로 둡니다.",
    )
    params = (
        CREDENTIAL,
        *WHERE,
        Param(
            "find_by",
            "select",
            t("Find the row by", "행 찾는 방법"),
            default="column",
            expressions=False,
            options=(("column", t("a column's value", "열의 값")), ("row_number", t("its row number", "행 번호"))),
        ),
        Param("column", "string", t("Column name", "열 이름"), default=""),
        Param("value", "string", t("Value to look for", "찾을 값"), default=""),
        Param("row_number", "integer", t("Row number", "행 번호"), default=None, minimum=2),
        VALUES,
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "google_sheets")
            sheet_id, table = read_table(ctx, credential, params)
            number, row = self._find(table, params)
            cells = table.cells_of(_values(params, item, table), base=row)
            rng = table.row_range(number)
            call(
                ctx,
                SHEETS,
                "PUT",
                _values_path(sheet_id, rng),
                credential=credential,
                query={"valueInputOption": "USER_ENTERED"},
                json_body={"range": rng, "majorDimension": "ROWS", "values": [cells]},
            )
            result = copy_item(item)
            result["sheets"] = {ROW_NUMBER: number, "updated_range": rng}
            out.append(result)
        return {"main": out}

    @staticmethod
    def _find(table: Table, params: dict) -> tuple[int, dict]:
        if params.get("find_by") == "row_number":
            number = params.get("row_number")
            for row_number, row in table.rows:
                if row_number == number:
                    return row_number, row
            if isinstance(number, int) and number > 1:
                return number, {}  # an empty row inside the table: written as new
            raise NodeError(gettext_noop("Fill in the number of the row to change (2 or more)."), code="sheets_no_row")
        column = str(params.get("column") or "").strip()
        _check_column(table, column)
        for row_number, row in table.rows:
            if matches(row, column, params.get("value")):
                return row_number, row
        raise NodeError(
            gettext_noop("No row has “%(value)s” in the column “%(column)s”."),
            code="sheets_row_not_found",
            values={"value": str(params.get("value") or ""), "column": column},
        )


@register
class NewOrUpdatedRow(NodeType):
    key = "google_sheets.new_or_updated_row"
    category = "trigger"
    icon = "google_sheets"
    inputs = ()
    is_trigger = True
    trigger_kind = "polling"
    label = t("When a Google Sheets row is added or changed", "Google 스프레드시트 행이 추가되거나 바뀌면")
    description = t(
        "Checks the sheet every few minutes and starts the flow with each row that is new or whose cells changed.",
        "몇 분마다 시트를 확인해 새로 생겼거나 셀이 바뀐 행마다 흐름을 시작합니다.",
    )
    params = (
        CREDENTIAL,
        *WHERE,
        Param("interval_minutes", "integer", t("Check every (minutes)", "확인 간격(분)"), default=5, minimum=1, maximum=1440),
    )

    def execute(self, ctx):
        return {"main": ctx.items}

    def poll(self, parameters: dict, state: dict, host) -> list[dict]:
        ctx = PollContext(host)
        credential = Credential(ctx, parameters.get("credential"), "google_sheets")
        _, table = read_table(ctx, credential, parameters)
        return [table.item(number, row) for number, row in table.rows]

    def dedupe_key(self, item: dict) -> str:
        """The row's content, not its number: a changed row is new again, a row moved by a deletion above is not."""
        content = {k: v for k, v in item.items() if k != ROW_NUMBER}
        return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
