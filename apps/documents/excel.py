"""Excel workbooks (.xlsx) with openpyxl: sheets into items, items into a new workbook, into a template or appended
to a sheet. Dates become ISO text when read and Excel dates again when written; text that starts with "=" is written
as text unless formulas are asked for, so data from outside cannot plant formulas in a workbook."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from typing import Any

from apps.documents import limits
from apps.documents.common import Check, as_text, column_names, is_ole, open_zip, plain_value, tick, unique_headers
from apps.flows.engine.errors import NodeError, gettext_noop

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _load(data: bytes, *, read_only: bool):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if is_ole(data):
        raise NodeError(
            gettext_noop("The workbook is in the old .xls format or protected with a password. Save it as .xlsx without a password."),
            code="xlsx_old_or_encrypted",
        )
    open_zip(data, what="Excel (.xlsx)", code="bad_xlsx").close()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every extension it does not know
            return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=read_only, keep_links=False)
    except (InvalidFileException, KeyError, ValueError, TypeError, IndexError, AttributeError, OSError, SyntaxError) as exc:
        raise NodeError(
            gettext_noop("The workbook could not be read (%(reason)s). Check that it is an .xlsx file that Excel opens."),
            code="bad_xlsx",
            values={"reason": type(exc).__name__},
        ) from None
    except Exception as exc:  # the XML parser's own errors for a damaged part
        raise NodeError(
            gettext_noop("The workbook could not be read (%(reason)s). Check that it is an .xlsx file that Excel opens."),
            code="bad_xlsx",
            values={"reason": type(exc).__name__},
        ) from None


def _sheet(workbook, sheet: Any):
    names = workbook.sheetnames
    if sheet in (None, ""):
        return workbook[names[0]] if getattr(workbook, "read_only", False) else workbook.active or workbook[names[0]]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        position = int(sheet)
        if 1 <= position <= len(names):
            return workbook[names[position - 1]]
    elif str(sheet) in names:
        return workbook[str(sheet)]
    raise NodeError(
        gettext_noop("The workbook has no sheet “%(sheet)s”. Its sheets: %(sheets)s"),
        code="sheet_not_found",
        values={"sheet": str(sheet), "sheets": ", ".join(names)},
    )


def sheet_names(data: bytes) -> list[str]:
    workbook = _load(data, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def cell_bounds(cell_range: str | None):
    from openpyxl.utils.cell import range_boundaries

    if not cell_range:
        return None
    try:
        min_col, min_row, max_col, max_row = range_boundaries(str(cell_range).strip().upper().replace("$", ""))
    except (ValueError, TypeError):
        raise NodeError(
            gettext_noop("“%(range)s” is not a cell range like A1:D20 or B:E."), code="bad_range", values={"range": str(cell_range)}
        ) from None
    return min_col, min_row, max_col, max_row


def read_sheet(
    data: bytes,
    *,
    sheet: Any = None,
    header_row: int = 1,
    cell_range: str | None = None,
    skip_empty: bool = True,
    max_rows: int = limits.DEFAULT_MAX_ROWS,
    check: Check = None,
) -> list[dict]:
    """The rows of one sheet as items. `header_row` counts within the range (0: no header, columns are named A, B…)."""

    max_rows = min(int(max_rows or limits.DEFAULT_MAX_ROWS), limits.MAX_ROWS)
    workbook = _load(data, read_only=True)
    try:
        worksheet = _sheet(workbook, sheet)
        bounds = cell_bounds(cell_range)
        options: dict[str, Any] = {"values_only": True}
        if bounds:
            options.update(min_col=bounds[0], min_row=bounds[1], max_col=bounds[2], max_row=bounds[3])
        first_col = bounds[0] if bounds and bounds[0] else 1
        return rows_as_items(
            worksheet.iter_rows(**options),
            header_row=header_row,
            first_col=first_col,
            skip_empty=skip_empty,
            max_rows=max_rows,
            check=check,
        )
    finally:
        workbook.close()


def rows_as_items(rows, *, header_row: int, first_col: int, skip_empty: bool, max_rows: int, check: Check = None) -> list[dict]:
    """Rows of cell values (tuples) as items: the header row names the fields (columns A, B… without one)."""
    from openpyxl.utils import get_column_letter

    max_rows = min(int(max_rows or limits.DEFAULT_MAX_ROWS), limits.MAX_ROWS)
    headers: list[str] | None = None
    items: list[dict] = []
    for position, row in enumerate(rows, start=1):
        if position % 1000 == 0:
            tick(check)
        if header_row and position < header_row:
            continue
        if header_row and position == header_row:
            headers = unique_headers(list(_trim(row)), lambda position: get_column_letter(first_col + position - 1))
            continue
        if skip_empty and all(cell is None or cell == "" for cell in row):
            continue
        if headers is None:
            headers = [get_column_letter(first_col + i) for i in range(len(row))]
        if len(items) >= max_rows:
            raise NodeError(
                gettext_noop("The sheet has more than %(limit)s rows. Read a range, or raise the row limit."),
                code="too_many_rows",
                values={"limit": f"{max_rows:,}"},
            )
        values = [plain_value(cell) for cell in row]
        if len(values) > len(headers):
            extra = [get_column_letter(first_col + i) for i in range(len(headers), len(values))]
            if any(v not in (None, "") for v in values[len(headers) :]):
                headers = headers + extra
        items.append({name: values[i] if i < len(values) else None for i, name in enumerate(headers)})
    return items


def _trim(row: tuple) -> tuple:
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return row[:end]


def _cell_value(value: Any, *, formulas: bool) -> tuple[Any, str | None, bool]:
    """(value, number format, keep as text) of an item's field for a cell."""
    if isinstance(value, (bool, int, float)):
        return value, None, False
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value), "yyyy-mm-dd", False
            except ValueError:
                pass
        if _ISO_DATETIME.match(value):
            try:
                return dt.datetime.fromisoformat(value.replace(" ", "T")), "yyyy-mm-dd hh:mm:ss", False
            except ValueError:
                pass
        if len(value) > 32_767:
            value = value[:32_767]  # Excel's limit for one cell
        return value, None, value.startswith("=") and not formulas
    if value is None:
        return None, None, False
    return as_text(value), None, False


def _set(cell, value: Any, *, formulas: bool) -> None:
    converted, number_format, as_string = _cell_value(value, formulas=formulas)
    cell.value = converted
    if as_string:
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format


def write_workbook(
    items: list[dict],
    *,
    sheet_name: str = "Sheet1",
    columns: list[str] | None = None,
    header: bool = True,
    formulas: bool = False,
    check: Check = None,
) -> bytes:
    """A new workbook with one sheet: a header row of the columns, then one row per item."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    _check_rows(len(items))
    names = column_names(items, columns)
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=_sheet_title(sheet_name))
    if header:
        bold = Font(bold=True)
        cells = []
        for name in names:
            cell = WriteOnlyCell(worksheet, value=name)
            cell.font = bold
            cells.append(cell)
        worksheet.append(cells)
    for position, item in enumerate(items):
        if position % 1000 == 0:
            tick(check)
        row = []
        for name in names:
            value = item.get(name)
            if isinstance(value, (int, float)):
                row.append(value)
            else:
                cell = WriteOnlyCell(worksheet)
                _set(cell, value, formulas=formulas)
                row.append(cell)
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    title = re.sub(r"[\\/*?:\[\]]", "_", str(name or "Sheet1"))[:31]
    return title or "Sheet1"


def _check_rows(count: int) -> None:
    if count > limits.MAX_ROWS:
        raise NodeError(
            gettext_noop("At most %(limit)s rows can be written in one step."),
            code="too_many_rows",
            values={"limit": f"{limits.MAX_ROWS:,}"},
        )


def append_rows(
    data: bytes,
    items: list[dict],
    *,
    sheet: Any = None,
    header_row: int = 1,
    start_row: int | None = None,
    add_columns: bool = True,
    formulas: bool = False,
    check: Check = None,
) -> bytes:
    """The workbook `data` (a template or an existing file) with the items written into a sheet.

    Fields go to the columns whose header (in `header_row`) has their name; fields without a column get new columns at
    the right when `add_columns`, and a sheet without headers gets them. Rows go after the last filled row, or from
    `start_row` on. Styles, other sheets, formulas and column widths of the workbook stay as they were."""
    _check_rows(len(items))
    workbook = _load(data, read_only=False)
    worksheet = _sheet(workbook, sheet)
    columns: dict[str, int] = {}
    if header_row:
        for cell in worksheet[header_row] if worksheet.max_row >= header_row else ():
            if cell.value not in (None, ""):
                columns.setdefault(as_text(plain_value(cell.value)).strip(), cell.column)
    wanted = column_names(items)
    missing = [name for name in wanted if name not in columns]
    if missing and header_row and (add_columns or not columns):
        next_column = max(columns.values(), default=0) + 1
        for name in missing:
            worksheet.cell(row=header_row, column=next_column, value=name)
            columns[name] = next_column
            next_column += 1
    elif not header_row:
        columns = {name: position for position, name in enumerate(wanted, start=1)}
    row_number = int(start_row) if start_row else _last_filled_row(worksheet, max(int(header_row or 0), 0)) + 1
    for position, item in enumerate(items):
        if position % 1000 == 0:
            tick(check)
        for name, value in item.items():
            column = columns.get(name)
            if column is not None:
                _set(worksheet.cell(row=row_number, column=column), value, formulas=formulas)
        row_number += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _last_filled_row(worksheet, at_least: int) -> int:
    for row in range(worksheet.max_row, at_least, -1):
        if any(cell.value not in (None, "") for cell in worksheet[row]):
            return row
    return at_least
