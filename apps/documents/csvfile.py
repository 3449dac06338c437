"""CSV files (not text fields: the CSV step of the flows app handles those): Korean Excel saves CSV in CP949, so
reading tries UTF-8 (with or without its byte-order mark) first, then CP949; writing defaults to UTF-8 with a
byte-order mark, which Excel opens with Hangul intact."""

from __future__ import annotations

import csv
import io

from apps.documents import limits
from apps.documents.common import Check, as_text, check_size, column_names, tick, unique_headers
from apps.flows.engine.errors import NodeError, gettext_noop

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16")


def _unknown_encoding(encoding: str) -> NodeError:
    return NodeError(gettext_noop("“%(encoding)s” is not an encoding."), code="bad_encoding", values={"encoding": encoding})


def decode(data: bytes, encoding: str = "auto") -> str:
    check_size(data)
    if encoding and encoding != "auto":
        try:
            return data.decode(encoding)
        except LookupError:
            raise _unknown_encoding(encoding) from None
        except UnicodeDecodeError:
            raise NodeError(
                gettext_noop("The file is not in the %(encoding)s encoding. Choose another encoding, or “automatic”."),
                code="bad_encoding",
                values={"encoding": encoding},
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for candidate in ("utf-8-sig", "cp949"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise NodeError(gettext_noop("The file is neither UTF-8 nor CP949 (EUC-KR) text. Is it really a CSV file?"), code="bad_encoding")


def read_csv(
    data: bytes,
    *,
    encoding: str = "auto",
    delimiter: str = ",",
    header: bool = True,
    skip_empty: bool = True,
    max_rows: int = limits.DEFAULT_MAX_ROWS,
    check: Check = None,
) -> list[dict]:
    text = decode(data, encoding)
    if "\x00" in text:
        raise NodeError(gettext_noop("The file is not CSV text (it holds binary data)."), code="bad_csv")
    max_rows = min(int(max_rows or limits.DEFAULT_MAX_ROWS), limits.MAX_ROWS)
    delimiter = "\t" if delimiter in ("\\t", "tab") else (delimiter or ",")[:1]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    items: list[dict] = []
    headers: list[str] | None = None
    try:
        for row in reader:
            if reader.line_num % 1000 == 0:
                tick(check)
            if skip_empty and not any(cell.strip() for cell in row):
                continue
            if headers is None and header:
                headers = unique_headers(row)
                continue
            if headers is None:
                headers = [f"column_{i}" for i in range(1, len(row) + 1)]
            if len(row) > len(headers):
                headers = headers + [f"column_{i}" for i in range(len(headers) + 1, len(row) + 1)]
            if len(items) >= max_rows:
                raise NodeError(
                    gettext_noop("The file has more than %(limit)s rows. Raise the row limit, or split the file."),
                    code="too_many_rows",
                    values={"limit": f"{max_rows:,}"},
                )
            items.append({name: (row[i] if i < len(row) else "") for i, name in enumerate(headers)})
    except csv.Error as exc:
        raise NodeError(gettext_noop("The CSV could not be read: %(reason)s"), code="bad_csv", values={"reason": str(exc)}) from None
    return items


def write_csv(
    items: list[dict],
    *,
    columns: list[str] | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    header: bool = True,
    check: Check = None,
) -> bytes:
    if len(items) > limits.MAX_ROWS:
        raise NodeError(
            gettext_noop("At most %(limit)s rows can be written in one step."),
            code="too_many_rows",
            values={"limit": f"{limits.MAX_ROWS:,}"},
        )
    names = column_names(items, columns)
    delimiter = "\t" if delimiter in ("\\t", "tab") else (delimiter or ",")[:1]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(names)
    for position, item in enumerate(items):
        if position % 1000 == 0:
            tick(check)
        writer.writerow([as_text(item.get(name)) for name in names])
    encoding = "utf-8-sig" if encoding in ("", "auto", None) else encoding
    try:
        return buffer.getvalue().encode(encoding)
    except UnicodeEncodeError as exc:
        raise NodeError(
            gettext_noop("The text “%(text)s” cannot be written in the %(encoding)s encoding. Choose UTF-8."),
            code="bad_encoding",
            values={"text": exc.object[exc.start : exc.end], "encoding": encoding},
        ) from None
    except LookupError:
        raise _unknown_encoding(encoding) from None
