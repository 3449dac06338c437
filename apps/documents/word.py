"""Word documents (.docx) with python-docx: fill a template's `{{ placeholders }}` and extract the text.

Word splits a paragraph's text into runs wherever formatting or editing history changes, often in the middle of a
placeholder; placeholders are found across the runs of a paragraph and replaced in the run they start in, so that
run's formatting (bold, font, colour) is kept. Body, tables (nested too), headers and footers are filled."""

from __future__ import annotations

import io
from collections.abc import Iterator

from apps.documents.common import Check, Template, TextBudget, fill_spans, is_ole, open_zip, tick
from apps.flows.engine.errors import NodeError, gettext_noop


def _open(data: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if is_ole(data):
        raise NodeError(
            gettext_noop("The document is in the old .doc format or protected with a password. Save it as .docx without a password."),
            code="docx_old_or_encrypted",
        )
    open_zip(data, what="Word (.docx)", code="bad_docx").close()
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise NodeError(
            gettext_noop("The document could not be read (%(reason)s). Check that it is a .docx file that Word opens."),
            code="bad_docx",
            values={"reason": type(exc).__name__},
        ) from None
    except Exception as exc:  # lxml's errors for a damaged part
        raise NodeError(
            gettext_noop("The document could not be read (%(reason)s). Check that it is a .docx file that Word opens."),
            code="bad_docx",
            values={"reason": type(exc).__name__},
        ) from None


def _paragraphs(container) -> Iterator:
    """Every paragraph of a body, cell, header or footer, with those inside tables, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block
        elif isinstance(block, Table):
            for row in block.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell appears once per column it spans
                        continue
                    seen.add(id(cell._tc))
                    yield from _paragraphs(cell)


def _all_paragraphs(document) -> Iterator:
    yield from _paragraphs(document)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part.is_linked_to_previous:
                continue
            yield from _paragraphs(part)


def fill_template(data: bytes, values: dict, *, check: Check = None) -> bytes:
    document = _open(data)
    template = Template(values)
    for position, paragraph in enumerate(_all_paragraphs(document)):
        if position % 200 == 0:
            tick(check)
        runs = paragraph.runs
        texts = [run.text for run in runs]
        if not runs:
            continue
        filled = fill_spans(texts, template)
        if filled is None:
            continue
        for run, old, new in zip(runs, texts, filled, strict=True):
            if old != new:
                run.text = new
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def extract_text(data: bytes, *, check: Check = None) -> dict:
    """{"text": all paragraphs, "paragraphs": [...], "tables": [[[cell text]]]} of the body in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = _open(data)
    budget = TextBudget()
    lines: list[str] = []
    paragraphs: list[str] = []
    tables: list[list[list[str]]] = []
    for position, block in enumerate(document.iter_inner_content()):
        if position % 200 == 0:
            tick(check)
        if isinstance(block, Paragraph):
            text = budget.take(block.text)
            paragraphs.append(text)
            lines.append(text)
        elif isinstance(block, Table):
            rows = []
            for row in block.rows:
                rows.append([budget.take("\n".join(p.text for p in _paragraphs(cell))) for cell in row.cells])
            tables.append(rows)
            lines.extend("\t".join(row) for row in rows)
    return {"text": "\n".join(lines), "paragraphs": paragraphs, "tables": tables}
