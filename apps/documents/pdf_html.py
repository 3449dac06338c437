"""A PDF made from an HTML template (fpdf2: pure Python, fonts embedded as subsets).

The template's `{{ placeholders }}` are the product's expressions, filled from the values; what they give is text,
never markup (it is escaped when the HTML is written out again). An element with `data-each="row in rows"` is
repeated for every entry of the list `rows`, with `row` in scope inside it (table rows of an invoice). The Korean
font NanumSquare (SIL Open Font License, apps/documents/fonts/OFL.txt) is embedded, so Hangul shows on any
reader. Images must be inline `data:` URIs: a template never makes the worker fetch a URL or read a file."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from apps.documents import limits
from apps.documents.common import Template, as_text
from apps.flows.engine.errors import NodeError, gettext_noop

FONTS = Path(__file__).resolve().parent / "fonts"
# fontTools logs every table it prunes while subsetting the font, at INFO: a dozen lines per PDF made.
logging.getLogger("fontTools").setLevel(logging.WARNING)
FONT_FAMILY = "nanumsquare"
_EACH = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)$", re.DOTALL)
MAX_TEMPLATE_CHARACTERS = 2_000_000


def fill_html(html: str, template: Template) -> str:
    """The template with placeholders filled and data-each elements repeated (text escaped)."""
    from bs4 import BeautifulSoup, NavigableString
    from bs4.element import Comment, Tag

    if len(html) > MAX_TEMPLATE_CHARACTERS:
        raise NodeError(gettext_noop("The HTML template is too large."), code="template_too_large")
    soup = BeautifulSoup(html, "html.parser")
    repeats = [0]

    def visit(node: Tag, scope: Template) -> None:
        for child in list(node.children):
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                text = str(child)
                if "{{" in text:
                    child.replace_with(NavigableString(scope.fill(text)))
                continue
            if not isinstance(child, Tag):
                continue
            each = child.attrs.pop("data-each", None)
            if each is None:
                fill_attributes(child, scope)
                visit(child, scope)
                continue
            match = _EACH.match(str(each))
            if not match:
                raise NodeError(
                    gettext_noop("data-each=“%(value)s” should read like “row in rows”."), code="bad_template", values={"value": str(each)}
                )
            name, source = match.group(1), match.group(2)
            entries = scope.value(source)
            if entries is None:
                entries = []
            if isinstance(entries, dict):
                entries = list(entries.items())
            if not isinstance(entries, (list, tuple)):
                raise NodeError(
                    gettext_noop("data-each needs a list, but “%(source)s” is %(kind)s."),
                    code="bad_template",
                    values={"source": source.strip(), "kind": type(entries).__name__},
                )
            repeats[0] += len(entries)
            if repeats[0] > limits.MAX_TEMPLATE_REPEATS:
                raise NodeError(
                    gettext_noop("The template repeats more than %(limit)s rows."),
                    code="template_too_large",
                    values={"limit": f"{limits.MAX_TEMPLATE_REPEATS:,}"},
                )
            markup = str(child)
            for index, entry in enumerate(entries):
                copy = BeautifulSoup(markup, "html.parser").contents[0]
                inner = scope.with_names({name: entry, "loop_index": index})
                fill_attributes(copy, inner)
                visit(copy, inner)
                child.insert_before(copy)
            child.decompose()

    def fill_attributes(tag: Tag, scope: Template) -> None:
        for key, value in list(tag.attrs.items()):
            if isinstance(value, str) and "{{" in value:
                tag.attrs[key] = scope.fill(value)

    visit(soup, template)
    return str(soup)


def _image(src: str) -> str:
    if not str(src).startswith("data:image/"):
        raise NodeError(
            gettext_noop("Images in the HTML template must be embedded as data: URIs (data:image/png;base64,…), not “%(src)s”."),
            code="template_image",
            values={"src": str(src)[:100]},
        )
    return src


def render_pdf(html: str, *, values: Any = None, title: str = "", orientation: str = "portrait", page_format: str = "A4") -> bytes:
    """The PDF of `html` with its placeholders filled from `values`."""
    from fpdf import FPDF, FontFace
    from fpdf.errors import FPDFException

    filled = fill_html(html, Template(values if isinstance(values, dict) else {"value": values}))
    paper = page_format if page_format in ("A4", "A3", "A5", "Letter", "Legal") else "A4"
    pdf = FPDF(orientation="L" if orientation == "landscape" else "P", format=paper)
    pdf.add_font(FONT_FAMILY, "", str(FONTS / "NanumSquareR.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONTS / "NanumSquareB.ttf"))
    # NanumSquare has no italic: slanted text is shown upright rather than failing.
    pdf.add_font(FONT_FAMILY, "I", str(FONTS / "NanumSquareR.ttf"))
    pdf.add_font(FONT_FAMILY, "BI", str(FONTS / "NanumSquareB.ttf"))
    pdf.set_font(FONT_FAMILY, size=11)
    if title:
        pdf.set_title(as_text(title))
    pdf.set_creator("EZFlow")
    pdf.add_page()
    code = FontFace(family=FONT_FAMILY)
    try:
        pdf.write_html(
            filled,
            font_family=FONT_FAMILY,
            image_map=_image,
            warn_on_tags_not_matching=False,
            table_line_separators=True,
            tag_styles={"code": code, "pre": code},
        )
        return bytes(pdf.output())
    except NodeError:
        raise
    except (FPDFException, ValueError, KeyError, TypeError, NotImplementedError, OSError) as exc:
        raise NodeError(
            gettext_noop("The HTML template could not be laid out as a PDF: %(reason)s"),
            code="bad_template",
            values={"reason": str(exc)[:300]},
        ) from None
