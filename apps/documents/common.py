"""What every document module shares: size and zip-bomb checks, turning cell and field values into text, and filling
`{{ placeholders }}` of templates with the same expressions as the rest of the product."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from apps.documents import limits
from apps.flows.engine import expressions
from apps.flows.engine.errors import ExpressionError, NodeError, gettext_noop

Check = Callable[[], None] | None  # called between pages/rows so a step's timeout stops long work


def tick(check: Check) -> None:
    if check is not None:
        check()


def check_size(data: bytes, *, limit: int = limits.MAX_FILE_BYTES) -> bytes:
    if not isinstance(data, (bytes, bytearray)):
        raise NodeError(gettext_noop("The file could not be read."), code="bad_file")
    if len(data) > limit:
        raise NodeError(
            gettext_noop("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="file_too_large",
            values={"size": f"{len(data) / 1048576:.1f}", "limit": f"{limit / 1048576:g}"},
        )
    return bytes(data)


def open_zip(data: bytes, *, what: str, code: str) -> zipfile.ZipFile:
    """A zip container (xlsx, docx, hwpx) after checking it is one and that it does not unpack into gigabytes."""
    check_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise NodeError(
            gettext_noop("The file is not a valid %(kind)s file, or it is damaged."), code=code, values={"kind": what}
        ) from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1_000_000 and info.file_size > limits.MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise NodeError(gettext_noop("The file unpacks to far more data than a document holds; it was refused."), code="zip_bomb")
    if total > limits.MAX_UNZIPPED_BYTES:
        raise NodeError(gettext_noop("The file unpacks to far more data than a document holds; it was refused."), code="zip_bomb")
    return archive


def is_ole(data: bytes) -> bool:
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def plain_value(value: Any) -> Any:
    """A cell's value as JSON data: dates and times as ISO text (a date alone when the time is midnight)."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def as_text(value: Any) -> str:
    """How a value appears in a document: numbers and text as they are, a file by its name, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, Mapping):
        if "$file" in value:
            return str(value.get("name") or "")
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False, default=str)
    return str(value)


def unique_headers(cells: list[Any], unnamed: Callable[[int], str] | None = None) -> list[str]:
    """Column names from a header row: empty ones are named by `unnamed(position)` (column_<n>), repeated ones get
    _2, _3."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        base = as_text(plain_value(cell)).strip() or (unnamed(position) if unnamed else f"column_{position}")
        name, counter = base, 2
        while name in seen:
            name, counter = f"{base}_{counter}", counter + 1
        seen.add(name)
        names.append(name)
    return names


def column_names(items: list[dict], columns: list[str] | None = None) -> list[str]:
    if columns:
        return [str(c) for c in columns]
    names: list[str] = []
    seen: set[str] = set()
    for item in items:
        for key in item:
            if key not in seen:
                seen.add(key)
                names.append(key)
    return names


class Template:
    """Fills `{{ expression }}` placeholders of a document template with values.

    Placeholders are the product's expressions: `{{ name }}` is the field `name` of the values, `{{ amount | round }}`
    and `{{ now().year }}` work as in any field. A placeholder naming a field the values lack is an error naming it,
    not an empty gap in a contract."""

    def __init__(self, values: Mapping | None, *, now: dt.datetime | None = None):
        values = dict(values or {})
        self.values = values
        self.scope = {**expressions.helpers(now or dt.datetime.now()), **values, "json": values}

    def with_names(self, names: Mapping) -> Template:
        other = Template.__new__(Template)
        other.values = self.values
        other.scope = {**self.scope, **names}
        return other

    def value(self, source: str) -> Any:
        """The value of one expression (without braces)."""
        if any(name not in self.scope for name in _names(source.strip())):
            raise self._missing(source)
        try:
            return expressions.evaluate("{{" + source + "}}", self.scope)
        except ExpressionError as exc:
            if exc.code in ("undefined", "missing_field"):
                raise self._missing(source) from None
            raise

    def _missing(self, source: str) -> NodeError:
        return NodeError(
            gettext_noop("The template uses “%(placeholder)s”, which the values do not have. Fields there are: %(fields)s"),
            code="template_missing_value",
            values={"placeholder": source.strip(), "fields": ", ".join(map(str, list(self.values)[:20])) or "-"},
        )

    def fill(self, text: str) -> str:
        if "{{" not in text:
            return text
        return expressions.EXPRESSION_RE.sub(lambda m: as_text(self.value(m.group(1))), text)


@functools.lru_cache(maxsize=1024)
def _names(source: str) -> frozenset[str]:
    """The names an expression reads; a syntax error is left for the evaluation to report."""
    from jinja2 import TemplateSyntaxError, meta

    try:
        return frozenset(meta.find_undeclared_variables(expressions.environment.parse("{{ " + source + " }}")))
    except (TemplateSyntaxError, RecursionError):
        return frozenset()


def fill_spans(texts: list[str], template: Template) -> list[str] | None:
    """Placeholders in text split over several runs (Word and HWPX split text wherever formatting or editing changed).

    Returns the new text of each run, or None when nothing changed. A placeholder is replaced inside the run it starts
    in, keeping that run's formatting; the rest of it is taken out of the following runs. What a placeholder gives
    is never read again as a placeholder."""
    return replace_spans(texts, expressions.EXPRESSION_RE, lambda match: as_text(template.value(match.group(1))))


def replace_spans(texts: list[str], pattern: re.Pattern, value_of: Callable[[re.Match], str]) -> list[str] | None:
    full = "".join(texts)
    if "{{" not in full:
        return None
    matches = list(pattern.finditer(full))
    if not matches:
        return None
    starts, owner = [], []
    for index, text in enumerate(texts):
        starts.append(len(owner))
        owner.extend([index] * len(text))

    values = [value_of(match) for match in matches]  # in reading order: the first problem is named
    result = list(texts)
    for match, value in reversed(list(zip(matches, values, strict=True))):
        first, last = owner[match.start()], owner[match.end() - 1]
        head = result[first][: match.start() - starts[first]]
        tail = result[last][match.end() - starts[last] :]
        if first == last:
            result[first] = head + value + tail
        else:
            result[first] = head + value
            for middle in range(first + 1, last):
                result[middle] = ""
            result[last] = tail
    return result


def parse_pages(spec: Any, count: int) -> list[int]:
    """1-based page numbers from "1-3, 5, 8-" (empty: all); pages past the end are an error naming the count."""
    text = str(spec or "").strip()
    if not text:
        return list(range(1, count + 1))
    pages: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                low, _, high = part.partition("-")
                first = int(low) if low else 1
                last = int(high) if high else count
            else:
                first = last = int(part)
        except ValueError:
            raise NodeError(
                gettext_noop("“%(pages)s” is not a list of pages like 1-3, 5, 8-."), code="bad_pages", values={"pages": text}
            ) from None
        if first < 1 or last < first:
            raise NodeError(gettext_noop("“%(pages)s” is not a list of pages like 1-3, 5, 8-."), code="bad_pages", values={"pages": text})
        if last > count:
            raise NodeError(
                gettext_noop("Page %(page)s was asked for, but the document has %(count)s pages."),
                code="page_out_of_range",
                values={"page": str(last), "count": str(count)},
            )
        pages.extend(range(first, last + 1))
    return pages


class TextBudget:
    """Counts extracted characters so that one document cannot fill the worker's memory with text."""

    def __init__(self, limit: int = limits.MAX_OUTPUT_CHARACTERS):
        self.left = limit
        self.limit = limit

    def take(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise NodeError(
                gettext_noop("The document holds more than %(limit)s characters of text; extract fewer pages at a time."),
                code="text_too_large",
                values={"limit": f"{self.limit:,}"},
            )
        return text
