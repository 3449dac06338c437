"""The old binary Office formats, read only: Excel 97–2003 workbooks (.xls, BIFF8, with xlrd) into items like
excel.read_sheet, and the text of Word 97–2003 documents (.doc), written here from Microsoft's published description
of the format ([MS-DOC]): the File Information Block in the `WordDocument` stream locates the piece table (CLX) in
the `0Table` or `1Table` stream, whose pieces hold the text as CP1252 bytes or UTF-16LE."""

from __future__ import annotations

import io
import struct
from typing import Any

from apps.documents import limits
from apps.documents.common import Check, check_size, is_ole, plain_value, tick
from apps.documents.excel import cell_bounds, rows_as_items
from apps.flows.engine.errors import NodeError, gettext_noop


def _ole(data: bytes, *, code: str, what: str):
    import olefile

    check_size(data)
    if not is_ole(data):
        raise _invalid(code, what)
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error):
        raise NodeError(
            gettext_noop("The file is not a valid %(kind)s file, or it is damaged."), code=code, values={"kind": what}
        ) from None


def is_encrypted_ooxml(data: bytes) -> bool:
    """A password-protected .xlsx/.docx is an OLE file holding the encrypted package."""
    try:
        ole = _ole(data, code="bad_file", what="Office")
    except NodeError:
        return False
    try:
        return ole.exists("EncryptedPackage")
    finally:
        ole.close()


# ---- .xls ------------------------------------------------------------------------------------------------------------
def read_xls(
    data: bytes,
    *,
    sheet: Any = None,
    header_row: int = 1,
    cell_range: str | None = None,
    skip_empty: bool = True,
    max_rows: int = limits.DEFAULT_MAX_ROWS,
    check: Check = None,
) -> list[dict]:
    """The rows of one sheet of an .xls workbook as items, with the same rules as excel.read_sheet."""
    import xlrd

    if is_encrypted_ooxml(data):
        raise _protected_workbook()
    check_size(data)
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise NodeError(
                gettext_noop("The workbook is protected with a password. Save it as .xlsx without a password."),
                code="xlsx_old_or_encrypted",
            ) from None
        raise NodeError(
            gettext_noop("The workbook could not be read (%(reason)s). Check that it is an .xls file that Excel opens."),
            code="bad_xls",
            values={"reason": str(exc)[:200]},
        ) from None
    except (struct.error, ValueError, IndexError, KeyError, AssertionError, EOFError, OSError) as exc:
        raise NodeError(
            gettext_noop("The workbook could not be read (%(reason)s). Check that it is an .xls file that Excel opens."),
            code="bad_xls",
            values={"reason": type(exc).__name__},
        ) from None
    try:
        names = book.sheet_names()
        worksheet = book.sheet_by_index(_sheet_position(names, sheet))
        bounds = cell_bounds(cell_range)
        first_row, last_row = (bounds[1] - 1, bounds[3]) if bounds and bounds[1] else (0, worksheet.nrows)
        first_col, last_col = (bounds[0] - 1, bounds[2]) if bounds and bounds[0] else (0, worksheet.ncols)
        last_row, last_col = min(last_row or worksheet.nrows, worksheet.nrows), min(last_col or worksheet.ncols, worksheet.ncols)

        def rows():
            for row in range(first_row, last_row):
                yield tuple(_value(book, worksheet.cell(row, col)) for col in range(first_col, last_col))

        return rows_as_items(rows(), header_row=header_row, first_col=first_col + 1, skip_empty=skip_empty, max_rows=max_rows, check=check)
    finally:
        book.release_resources()


def _sheet_position(names: list[str], sheet: Any) -> int:
    if sheet in (None, ""):
        return 0
    if str(sheet) in names:
        return names.index(str(sheet))
    if str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
        return int(sheet) - 1
    raise NodeError(
        gettext_noop("The workbook has no sheet “%(sheet)s”. Its sheets: %(sheets)s"),
        code="sheet_not_found",
        values={"sheet": str(sheet), "sheets": ", ".join(names)},
    )


def _value(book, cell) -> Any:
    import xlrd

    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return plain_value(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError):
            return cell.value
    if kind == xlrd.XL_CELL_NUMBER:
        number = float(cell.value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return cell.value


# ---- .doc ------------------------------------------------------------------------------------------------------------
FIELD_BEGIN, FIELD_SEPARATOR, FIELD_END = "\x13", "\x14", "\x15"


def doc_text(data: bytes, *, check: Check = None) -> dict:
    """{"text", "paragraphs"} of the main text of a Word 97–2003 document."""
    ole = _ole(data, code="bad_doc", what="Word (.doc)")
    try:
        if not ole.exists("WordDocument"):
            if ole.exists("EncryptedPackage"):
                raise _protected()
            raise NodeError(
                gettext_noop("The file is not a valid %(kind)s file, or it is damaged."), code="bad_doc", values={"kind": "Word (.doc)"}
            )
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x01AA or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise _bad_doc()
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:  # fEncrypted
            raise _protected()
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise _bad_doc()
        table = ole.openstream(table_name).read()
        text = _main_text(word, table, check)
    finally:
        ole.close()
    text = _without_field_codes(text)
    for control, replacement in (("\x07", "\t"), ("\x0b", "\n"), ("\x0c", "\n"), ("\x1e", "-"), ("\x1f", ""), ("\xa0", " ")):
        text = text.replace(control, replacement)
    text = "".join(ch for ch in text if ch in "\r\t\n" or ch >= " ")
    paragraphs = [p.strip() for p in text.replace("\r\n", "\r").split("\r")]
    paragraphs = [p for p in paragraphs if p]
    if sum(len(p) for p in paragraphs) > limits.MAX_OUTPUT_CHARACTERS:
        raise NodeError(gettext_noop("The document holds more text than a step can return."), code="too_much_text")
    return {"text": "\n".join(paragraphs), "paragraphs": paragraphs, "tables": []}  # table cells are in the text


def _bad_doc() -> NodeError:
    return _invalid("bad_doc", "Word (.doc)")


def _invalid(code: str, what: str) -> NodeError:
    return NodeError(gettext_noop("The file is not a valid %(kind)s file, or it is damaged."), code=code, values={"kind": what})


def _protected() -> NodeError:
    return NodeError(gettext_noop("The document is protected with a password. Save it without a password."), code="docx_old_or_encrypted")


def _protected_workbook() -> NodeError:
    return NodeError(
        gettext_noop("The workbook is protected with a password. Save it as .xlsx without a password."), code="xlsx_old_or_encrypted"
    )


def _main_text(word: bytes, table: bytes, check: Check) -> str:
    # FibBase (32 bytes), csw + FibRgW, cslw + FibRgLw (ccpText is its 4th value), cbRgFcLcb + FibRgFcLcbBlob (fcClx/lcbClx: pair 33).
    try:
        csw = struct.unpack_from("<H", word, 32)[0]
        lw_at = 34 + csw * 2
        cslw = struct.unpack_from("<H", word, lw_at)[0]
        ccp_text = struct.unpack_from("<i", word, lw_at + 2 + 3 * 4)[0]
        blob_at = lw_at + 2 + cslw * 4 + 2
        fc_clx, lcb_clx = struct.unpack_from("<II", word, blob_at + 33 * 8)
        clx = table[fc_clx : fc_clx + lcb_clx]
        position = 0
        while position < len(clx) and clx[position] == 0x01:  # Prc: property modifiers, skipped
            position += 3 + struct.unpack_from("<h", clx, position + 1)[0]
        if position >= len(clx) or clx[position] != 0x02:
            raise _bad_doc()
        size = struct.unpack_from("<I", clx, position + 1)[0]
        plc = clx[position + 5 : position + 5 + size]
        pieces = (len(plc) - 4) // 12
        cps = struct.unpack_from(f"<{pieces + 1}I", plc, 0)
        parts, wanted = [], max(ccp_text, 0)
        for index in range(pieces):
            if index % 100 == 0:
                tick(check)
            if wanted <= 0:
                break
            descriptor = plc[(pieces + 1) * 4 + index * 8 : (pieces + 1) * 4 + index * 8 + 8]
            fc = struct.unpack_from("<I", descriptor, 2)[0]
            count = min(cps[index + 1] - cps[index], wanted)
            if count <= 0:
                continue
            if fc & 0x40000000:  # compressed: one byte per character at fc / 2
                start = (fc & 0x3FFFFFFF) // 2
                parts.append(word[start : start + count].decode("cp1252", "replace"))
            else:
                start = fc & 0x3FFFFFFF
                parts.append(word[start : start + 2 * count].decode("utf-16-le", "replace"))
            wanted -= count
        return "".join(parts)
    except (struct.error, IndexError, ValueError):
        raise _bad_doc() from None


def _without_field_codes(text: str) -> str:
    """A field is BEGIN code SEPARATOR result END (or BEGIN code END): the result stays, the code goes."""
    out, stack = [], []  # stack: for each open field, whether its result part has started
    for ch in text:
        if ch == FIELD_BEGIN:
            stack.append(False)
        elif ch == FIELD_SEPARATOR and stack:
            stack[-1] = True
        elif ch == FIELD_END and stack:
            stack.pop()
        elif not stack or all(stack):
            out.append(ch)
    return "".join(out)
