"""PDF files with pypdf (text, split, merge) and pdfplumber (tables, found from the lines and the alignment of text).

A password-protected PDF is opened with the password given (or an empty one, which many "protected" PDFs have);
a scanned PDF has no text layer, and the step says so instead of returning empty pages."""

from __future__ import annotations

import io
import logging
from typing import Any

from apps.documents import limits
from apps.documents.common import Check, TextBudget, check_size, parse_pages, tick
from apps.flows.engine.errors import NodeError, gettext_noop

# pypdf and pdfminer log every oddity of a damaged file at WARNING: the step reports what matters to the person.
for _name in ("pypdf", "pdfminer"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def _bad_pdf(exc: Exception | None = None) -> NodeError:
    return NodeError(
        gettext_noop("The file is not a valid PDF, or it is damaged (%(reason)s)."),
        code="bad_pdf",
        values={"reason": type(exc).__name__ if exc else "no %PDF header"},
    )


def open_pdf(data: bytes, *, password: str = ""):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    check_size(data)
    if b"%PDF-" not in data[:1024]:
        raise _bad_pdf()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt(password or "")
            except (NotImplementedError, PyPdfError, ValueError) as exc:
                raise NodeError(
                    gettext_noop("The PDF is encrypted in a way that cannot be opened (%(reason)s)."),
                    code="pdf_encrypted",
                    values={"reason": str(exc)[:200]},
                ) from None
            if not ok:
                raise NodeError(gettext_noop("The PDF is protected with a password. Enter its password in the step."), code="pdf_password")
        count = len(reader.pages)
    except NodeError:
        raise
    except Exception as exc:  # pypdf raises many error types for damaged files
        raise _bad_pdf(exc) from None
    if count > limits.MAX_PAGES:
        raise NodeError(
            gettext_noop("The PDF has %(count)s pages; at most %(limit)s can be handled in one step."),
            code="too_many_pages",
            values={"count": str(count), "limit": f"{limits.MAX_PAGES:,}"},
        )
    return reader


def page_count(data: bytes, *, password: str = "") -> int:
    return len(open_pdf(data, password=password).pages)


def extract_text(data: bytes, *, pages: Any = "", password: str = "", layout: bool = False, check: Check = None) -> list[dict]:
    """[{"page": n, "text": ...}] for the chosen pages (1-based).

    Plain text comes from PDFium (pypdfium2, Chrome's PDF engine: about ten times pypdf's speed, see bench/README.md);
    `layout` text, which keeps columns and spacing, from pypdf. The file is checked by pypdf first either way, so
    damaged and protected files give the same errors."""
    reader = open_pdf(data, password=password)
    numbers = parse_pages(pages, len(reader.pages))
    budget = TextBudget()
    if not layout:
        try:
            return [{"page": number, "text": budget.take(text)} for number, text in _pdfium_texts(data, numbers, password, check)]
        except NodeError:
            raise
        except Exception:  # noqa: BLE001  (PDFium refused a file pypdf reads: pypdf's slower extraction below)
            budget = TextBudget()
    result = []
    for number in numbers:
        tick(check)
        try:
            text = reader.pages[number - 1].extract_text(extraction_mode="layout" if layout else "plain") or ""
        except Exception as exc:  # a damaged content stream on one page
            raise NodeError(
                gettext_noop("Page %(page)s of the PDF could not be read (%(reason)s)."),
                code="bad_pdf_page",
                values={"page": str(number), "reason": type(exc).__name__},
            ) from None
        result.append({"page": number, "text": budget.take(text)})
    return result


def _pdfium_texts(data: bytes, numbers: list[int], password: str, check: Check):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data, password=password or None)
    try:
        texts = []
        for number in numbers:
            tick(check)
            page = document[number - 1]
            textpage = page.get_textpage()
            try:
                texts.append((number, textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")))
            finally:
                textpage.close()
                page.close()
        return texts
    finally:
        document.close()


def metadata(data: bytes, *, password: str = "") -> dict:
    reader = open_pdf(data, password=password)
    info = {}
    try:
        raw = reader.metadata or {}
        for key in ("/Title", "/Author", "/Subject", "/Creator", "/Producer"):
            if raw.get(key):
                info[key[1:].lower()] = str(raw.get(key))
    except Exception:  # noqa: BLE001  (metadata of a damaged file is a nicety, never a failure)
        info = {}
    return {"pages": len(reader.pages), **info}


def extract_tables(data: bytes, *, pages: Any = "", password: str = "", lines: bool = True, check: Check = None) -> list[dict]:
    """[{"page": n, "table": k, "rows": [[cell, ...], ...]}], tables in reading order of each page.

    `lines`: tables are found from their ruling lines (the usual case); otherwise from the alignment of text alone
    (tables drawn without lines; any text in columns then counts as a table)."""
    settings = {} if lines else {"vertical_strategy": "text", "horizontal_strategy": "text"}
    import pdfplumber

    count = page_count(data, password=password)
    wanted = parse_pages(pages, count)
    budget = TextBudget()
    result = []
    try:
        with pdfplumber.open(io.BytesIO(data), password=password or None) as document:
            for number in wanted:
                tick(check)
                page = document.pages[number - 1]
                for index, table in enumerate(page.extract_tables(settings), start=1):
                    rows = [[budget.take("" if cell is None else str(cell)) for cell in row] for row in table]
                    if any(any(cell.strip() for cell in row) for row in rows):
                        result.append({"page": number, "table": index, "rows": rows})
    except NodeError:
        raise
    except Exception as exc:  # pdfminer's errors for damaged files
        raise _bad_pdf(exc) from None
    return result


def _writer():
    from pypdf import PdfWriter

    return PdfWriter()


def _output(writer) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def split(data: bytes, *, ranges: Any = "", password: str = "", check: Check = None) -> list[dict]:
    """[{"pages": "1-3", "data": bytes}] — one PDF per range in `ranges` ("1-3, 4-6"), or one per page when empty."""
    reader = open_pdf(data, password=password)
    count = len(reader.pages)
    text = str(ranges or "").strip()
    groups = [p.strip() for p in text.split(",") if p.strip()] if text else [str(n) for n in range(1, count + 1)]
    result = []
    for group in groups:
        tick(check)
        writer = _writer()
        for number in parse_pages(group, count):
            writer.add_page(reader.pages[number - 1])
        result.append({"pages": group, "data": _output(writer)})
    return result


def merge(documents: list[bytes], *, check: Check = None) -> bytes:
    if not documents:
        raise NodeError(gettext_noop("There are no PDF files to merge."), code="nothing_to_merge")
    if len(documents) > limits.MAX_MERGE_FILES:
        raise NodeError(
            gettext_noop("At most %(limit)s files can be merged in one step."),
            code="too_many_files",
            values={"limit": str(limits.MAX_MERGE_FILES)},
        )
    writer = _writer()
    total = 0
    for position, data in enumerate(documents, start=1):
        tick(check)
        try:
            reader = open_pdf(data)
        except NodeError as exc:
            raise NodeError(
                gettext_noop("File %(position)s of the merge is not a valid PDF, is damaged or is protected with a password."),
                code=exc.code,
                values={"position": str(position)},
            ) from None
        total += len(reader.pages)
        if total > limits.MAX_PAGES:
            raise NodeError(
                gettext_noop("The merged PDF would have more than %(limit)s pages."),
                code="too_many_pages",
                values={"limit": f"{limits.MAX_PAGES:,}"},
            )
        writer.append(reader)
    return _output(writer)


def first_page_png(data: bytes, *, width: int = 480) -> bytes:
    """The first page drawn as a PNG `width` pixels wide (at most 3× as tall): the files' preview on the run page and
    in the editor. No password: a protected PDF has no preview."""
    import pypdfium2 as pdfium

    check_size(data)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise NodeError(gettext_noop("The file is not a valid PDF, is damaged or is protected with a password."), code="bad_pdf") from None
    try:
        if len(document) == 0:
            raise NodeError(gettext_noop("The PDF has no pages."), code="bad_pdf")
        page = document[0]
        try:
            page_width, page_height = page.get_size()
            scale = min(width / max(page_width, 1.0), 3 * width / max(page_height, 1.0), 4.0)
            bitmap = page.render(scale=scale, may_draw_forms=False)
            image = bitmap.to_pil()
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="PNG", optimize=True)
            return buffer.getvalue()
        finally:
            page.close()
    finally:
        document.close()
