"""What the PostgreSQL and MySQL steps share: named parameters, identifiers, JSON-safe values.

One style for both databases: the person writes `WHERE id = :id` and gives `id` in the step's parameters. The text is
never built from values: `:name` becomes the driver's named placeholder (`%(name)s`) and the driver binds the value
(psycopg on the server, PyMySQL by escaping). Quoted strings, quoted names, dollar-quoted bodies, comments and
PostgreSQL's `::type` casts are left alone, and a literal `%` is doubled for the driver."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from apps.flows.engine.errors import NodeError, gettext_noop

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
IDENTIFIER = re.compile(r"^[A-Za-z_\uac00-\ud7a3][A-Za-z0-9_$\uac00-\ud7a3]{0,62}$")
MAX_ROWS = 10_000


def named_to_driver(query: str, *, dollar_quotes: bool) -> tuple[str, list[str]]:
    """The query with `:name` as `%(name)s` and literal `%` doubled, and the names in order of first use."""
    out: list[str] = []
    names: list[str] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch in ("'", '"', "`"):
            end = i + 1
            while end < n:
                if query[end] == "\\" and ch != '"':
                    end += 2
                    continue
                if query[end] == ch:
                    if end + 1 < n and query[end + 1] == ch:  # '' inside a string
                        end += 2
                        continue
                    break
                end += 1
            out.append(query[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif query.startswith("--", i) or ch == "#" and not dollar_quotes:
            end = query.find("\n", i)
            end = n if end < 0 else end
            out.append(query[i:end].replace("%", "%%"))
            i = end
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(query[i:end].replace("%", "%%"))
            i = end
        elif dollar_quotes and ch == "$" and (tag := _DOLLAR_TAG.match(query, i)):
            close = query.find(tag.group(0), tag.end())
            end = n if close < 0 else close + len(tag.group(0))
            out.append(query[i:end].replace("%", "%%"))
            i = end
        elif ch == ":" and query.startswith("::", i):
            out.append("::")
            i += 2
        elif ch == ":" and (name := _NAME.match(query, i + 1)) and not (i > 0 and query[i - 1] == ":"):
            if name.group(0) not in names:
                names.append(name.group(0))
            out.append(f"%({name.group(0)})s")
            i = name.end()
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out), names


# `:name::text[]`: the query casts the value to an array (PostgreSQL), so a list is bound as one, as n8n does
_ARRAY_CAST = re.compile(r"(?<!:):([A-Za-z_]\w*)\s*::\s*[A-Za-z_][\w ]*?\s*\[\s*\]")


def array_names(query: str) -> set[str]:
    return set(_ARRAY_CAST.findall(query))


def bound_values(names: list[str], given: Any, *, arrays: set[str] | frozenset = frozenset()) -> dict:
    """The values for the query's names from the step's parameters; a name without a value is a clear error. A list
    is bound as JSON text, or as an array for a name in `arrays` (the query casts it to one) when it holds no objects."""
    given = given if isinstance(given, dict) else {}
    missing = [name for name in names if name not in given]
    if missing:
        raise NodeError(
            gettext_noop("The query uses :%(name)s, but the step's parameters have no value named “%(name)s”."),
            code="query_parameter_missing",
            values={"name": missing[0]},
        )
    return {name: _bindable(given[name], as_array=name in arrays) for name in names}


def _bindable(value: Any, *, as_array: bool = False) -> Any:
    if as_array and isinstance(value, list) and not any(isinstance(entry, (dict, list)) for entry in value):
        return value
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def identifier(value: Any) -> str:
    """A table or column name as typed; quoting is the driver's job, this only refuses what no table is called."""
    text = str(value or "").strip()
    parts = text.split(".")
    if not text or len(parts) > 2 or not all(IDENTIFIER.match(part) for part in parts):
        raise NodeError(
            gettext_noop("“%(value)s” is not a valid table or column name (letters, digits and _; schema.table for another schema)."),
            code="bad_identifier",
            values={"value": text[:80]},
        )
    return text


def columns_of(items: list[dict], chosen: Any) -> list[str]:
    """The columns to write: the chosen list (comma-separated), or every field of the first item."""
    if isinstance(chosen, str):
        chosen = [part.strip() for part in chosen.split(",") if part.strip()]
    names = list(chosen or []) or [key for key in (items[0] if items else {}) if not str(key).startswith("$")]
    if not names:
        raise NodeError(gettext_noop("There are no columns to write: the items have no fields."), code="no_columns")
    return [identifier(name) for name in names]


def json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**53:
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return str(value)


def row_item(columns: list[str], row) -> dict:
    return {column: json_safe(value) for column, value in zip(columns, row, strict=False)}
