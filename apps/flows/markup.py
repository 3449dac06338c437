"""Markdown ↔ HTML for the Markdown step: Markdown to HTML with markdown-it (CommonMark plus tables and strikethrough),
HTML to Markdown by walking the parsed page with BeautifulSoup."""

from __future__ import annotations

import re

BLOCKS = {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure", "table", "form"}
SKIPPED = {"script", "style", "head", "noscript", "template"}


def markdown_to_html(text: str, *, tables: bool = True, document: bool = False) -> str:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
    if tables:
        parser.enable("table")
    html = parser.render(text or "")
    if document:
        html = f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n<body>\n{html}</body>\n</html>\n'
    return html


def html_to_markdown(html: str, *, ignore: tuple[str, ...] = ()) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html or "", "html.parser")
    for tag in soup.find_all([*SKIPPED, *ignore]):
        tag.decompose()
    text = _children(soup, list_depth=0)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n" if text.strip() else ""


def _children(node, *, list_depth: int) -> str:
    return "".join(_convert(child, list_depth=list_depth) for child in node.children)


def _inline(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _convert(node, *, list_depth: int) -> str:
    from bs4 import NavigableString
    from bs4.element import Comment

    if isinstance(node, Comment):
        return ""
    if isinstance(node, NavigableString):
        return _inline(str(node))
    name = node.name
    inner = _children(node, list_depth=list_depth)
    if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return f"\n\n{'#' * int(name[1])} {inner.strip()}\n\n"
    if name in ("strong", "b"):
        return f"**{inner.strip()}**" if inner.strip() else ""
    if name in ("em", "i"):
        return f"*{inner.strip()}*" if inner.strip() else ""
    if name in ("del", "s", "strike"):
        return f"~~{inner.strip()}~~" if inner.strip() else ""
    if name == "code":
        return f"`{node.get_text()}`"
    if name == "pre":
        return f"\n\n```\n{node.get_text().strip(chr(10))}\n```\n\n"
    if name == "a":
        href = node.get("href")
        return f"[{inner.strip()}]({href})" if href else inner
    if name == "img":
        return f"![{node.get('alt', '')}]({node.get('src', '')})" if node.get("src") else ""
    if name == "br":
        return "  \n"
    if name == "hr":
        return "\n\n---\n\n"
    if name == "blockquote":
        quoted = "\n".join(f"> {line}" if line else ">" for line in inner.strip().splitlines())
        return f"\n\n{quoted}\n\n"
    if name in ("ul", "ol"):
        lines = []
        for number, child in enumerate(node.find_all("li", recursive=False), start=1):
            marker = f"{number}." if name == "ol" else "-"
            body = _children(child, list_depth=list_depth + 1).strip()
            body = body.replace("\n", "\n" + " " * (len(marker) + 1))
            lines.append(f"{'   ' * list_depth}{marker} {body}")
        return ("\n" if list_depth else "\n\n") + "\n".join(lines) + ("\n" if list_depth else "\n\n")
    if name == "table":
        return _table(node)
    if name in BLOCKS:
        return f"\n\n{inner.strip()}\n\n"
    return inner


def _table(node) -> str:
    rows = []
    for row in node.find_all("tr"):
        cells = [_inline(cell.get_text(" ", strip=True)).replace("|", "\\|") for cell in row.find_all(["th", "td"])]
        if cells:
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n\n" + "\n".join(lines) + "\n\n"
