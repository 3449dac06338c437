"""Word documents (.docx) with python-docx: fill a template's `{{ placeholders }}` and extract the text.

Word splits a paragraph's text into runs wherever formatting or editing history changes, often in the middle of a
placeholder; placeholders are found across the runs of a paragraph and replaced in the run they start in, so that
run's formatting (bold, font, colour) is kept. Body, tables (nested too), headers and footers are filled.

A table row holding `{{ each row in rows }}` (in any of its cells) is repeated for every entry of the list `rows`,
with `row` in scope inside it: `{{ row.item }}`, `{{ row.amount }}` (the lines of an invoice)."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator

from apps.documents import limits
from apps.documents.common import Check, Template, TextBudget, fill_spans, is_ole, open_zip, replace_spans, tick
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


EACH = re.compile(r"\{\{\s*each\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+?)\s*\}\}")


def _fill_paragraph(paragraph, template: Template) -> None:
    runs = paragraph.runs
    texts = [run.text for run in runs]
    filled = fill_spans(texts, template) if runs else None
    if filled is None:
        return
    for run, old, new in zip(runs, texts, filled, strict=True):
        if old != new:
            run.text = new


def _repeat_rows(document, template: Template, done: set) -> None:
    """Repeats the table rows marked with {{ each name in list }}; their paragraphs are filled here and recorded in
    `done`, so the text they got is never read again as placeholders."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    repeats = 0
    for row in list(document.element.body.iter(qn("w:tr"))):
        text = "".join(node.text or "" for node in row.iter(qn("w:t")))
        match = EACH.search(text)
        if not match:
            continue
        for p in row.iter(qn("w:p")):  # the marker goes, wherever Word split it
            paragraph = Paragraph(p, None)
            runs = paragraph.runs
            stripped = replace_spans([r.text for r in runs], EACH, lambda _m: "")
            if stripped is not None:
                for run, new in zip(runs, stripped, strict=True):
                    run.text = new
        name, source = match.group(1), match.group(2)
        entries = template.value(source)
        if isinstance(entries, dict):
            entries = list(entries.items())
        if entries is None:
            entries = []
        if not isinstance(entries, (list, tuple)):
            raise NodeError(
                gettext_noop("“each” needs a list, but “%(source)s” is %(kind)s."),
                code="bad_template",
                values={"source": source.strip(), "kind": type(entries).__name__},
            )
        repeats += len(entries)
        if repeats > limits.MAX_TEMPLATE_REPEATS:
            raise NodeError(
                gettext_noop("The template repeats more than %(limit)s rows."),
                code="template_too_large",
                values={"limit": f"{limits.MAX_TEMPLATE_REPEATS:,}"},
            )
        for index, entry in enumerate(entries):
            clone = copy.deepcopy(row)
            inner = template.with_names({name: entry, "loop_index": index})
            for p in clone.iter(qn("w:p")):
                _fill_paragraph(Paragraph(p, None), inner)
                done.add(p)
            row.addprevious(clone)
        row.getparent().remove(row)


def fill_template(data: bytes, values: dict, *, check: Check = None) -> bytes:
    document = _open(data)
    template = Template(values)
    done: set = set()
    _repeat_rows(document, template, done)
    for position, paragraph in enumerate(_all_paragraphs(document)):
        if position % 200 == 0:
            tick(check)
        if paragraph._p in done:
            continue
        _fill_paragraph(paragraph, template)
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
