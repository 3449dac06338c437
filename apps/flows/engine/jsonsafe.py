"""Step outputs as plain JSON: what every step hands on, and what the product stores, is only JSON.

Expressions and code can produce Python values JSON has no word for (dates, ranges, generators, sets, Decimal,
mappings such as `nodes`). They are converted here, in one place for every step, the way people expect to see
them (dates as ISO text, ranges and sets as lists); a value with no sensible JSON form fails the step with a
message naming the kind of value, instead of failing later when the result is saved.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import math
import uuid
from collections.abc import Iterator, Mapping, MappingView
from typing import Any

from apps.flows.engine.errors import NodeError, gettext_noop

MAX_DEPTH = 200
MAX_ELEMENTS = 1_000_000  # elements taken from a generator or a set: the expression limits keep real ones smaller


class UnstorableOutput(NodeError):
    code = "output_not_json"


def _unstorable(value: Any, path: str) -> UnstorableOutput:
    if callable(value):  # mostly a helper used without its parentheses: `{{ now }}`
        return UnstorableOutput(
            gettext_noop("The value at “%(path)s” is a function (%(type)s), not data. Call it with (), e.g. now()."),
            values={"path": path or "/", "type": getattr(value, "__name__", None) or type(value).__name__},
        )
    return UnstorableOutput(
        gettext_noop(
            "The value at “%(path)s” is of the Python type “%(type)s”, which cannot be stored as data. "
            "Turn it into text, a number, a list or an object."
        ),
        values={"path": path or "/", "type": type(value).__name__},
    )


def _text(value: str, path: str) -> str:
    if "\x00" in value:
        raise UnstorableOutput(
            gettext_noop("The value at “%(path)s” contains a NUL character (\\0), which cannot be stored. Remove it, e.g. with replace()."),
            values={"path": path or "/"},
        )
    if not value.isascii() and not _encodable(value):
        raise UnstorableOutput(
            gettext_noop("The value at “%(path)s” contains broken text (an unpaired surrogate character), which cannot be stored."),
            values={"path": path or "/"},
        )
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _duration(value: dt.timedelta) -> str:
    """ISO 8601, like dates: P1D, PT1H30M, -PT5M."""
    sign, value = ("-", -value) if value < dt.timedelta(0) else ("", value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    seconds_text = f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".") if value.microseconds else str(seconds)
    date_part = f"{value.days}D" if value.days else ""
    time_part = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if seconds or value.microseconds:
        time_part += f"{seconds_text}S"
    if not date_part and not time_part:
        return "PT0S"
    return f"{sign}P{date_part}" + (f"T{time_part}" if time_part else "")


def _key(key: Any, path: str) -> str:
    if isinstance(key, str):
        return _text(key, path)
    if isinstance(key, bool) or key is None:
        return "true" if key is True else "false" if key is False else "null"  # as json.dumps writes them
    if isinstance(key, (int, float)):
        return str(key)
    converted = _convert(key, path, 0)
    if isinstance(converted, str):
        return converted
    raise UnstorableOutput(
        gettext_noop("A field name at “%(path)s” is of the Python type “%(type)s”; field names must be text."),
        values={"path": path or "/", "type": type(key).__name__},
    )


def _convert(value: Any, path: str, depth: int) -> Any:  # noqa: C901  (one branch per kind of value, in the order of likelihood)
    if isinstance(value, str):
        return _text(value, path)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN or infinity: null, as JavaScript writes them
    if depth > MAX_DEPTH:
        raise UnstorableOutput(
            gettext_noop("The value at “%(path)s” is nested more than %(limit)s levels deep."),
            values={"path": path or "/", "limit": MAX_DEPTH},
        )
    if isinstance(value, dict | Mapping):
        out = {}
        for key, item in value.items():
            name = _key(key, path)
            out[name] = _convert(item, f"{path}.{name}" if path else name, depth + 1)
        return out
    if isinstance(value, list | tuple | range):
        return [_convert(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() and abs(value) < 2**63 else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)  # the product's convention for files and binary data (see the HTTP step)
        return {"base64": base64.b64encode(raw).decode(), "content_type": "application/octet-stream", "size": len(raw)}
    if isinstance(value, set | frozenset | Iterator | MappingView):
        items = []
        for index, item in enumerate(value):
            if index >= MAX_ELEMENTS:
                raise UnstorableOutput(
                    gettext_noop("The value at “%(path)s” has more than %(limit)s elements."),
                    values={"path": path or "/", "limit": f"{MAX_ELEMENTS:,}"},
                )
            items.append(_convert(item, f"{path}[{index}]", depth + 1))
        if isinstance(value, set | frozenset):
            with contextlib.suppress(TypeError):  # a set of mixed values keeps its own order
                items.sort(key=lambda v: (str(type(v)), v))
        return items
    raise _unstorable(value, path)


def _is_plain(value: Any, depth: int = 0) -> bool:
    """True when the value is already plain JSON: most outputs are, and checking is cheaper than copying."""
    kind = type(value)
    if kind is str:
        return "\x00" not in value and (value.isascii() or _encodable(value))
    if kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > MAX_DEPTH:
        return False
    if kind is dict:
        return all(type(key) is str and _is_plain(key) and _is_plain(item, depth + 1) for key, item in value.items())
    if kind is list:
        return all(_is_plain(item, depth + 1) for item in value)
    return False


def json_safe(value: Any, *, path: str = "") -> Any:
    """`value` as plain JSON (dict, list, str, int, float, bool, None); raises UnstorableOutput when impossible.
    Plain values are returned as they are, not copied."""
    if _is_plain(value):
        return value
    return _convert(value, path, 0)


def json_safe_outputs(outputs: Any) -> dict[str, list[dict]]:
    """A step's outputs (`{port: [item, ...]}`) as plain JSON; each item stays an object."""
    if not isinstance(outputs, Mapping):
        raise UnstorableOutput(
            gettext_noop("The step returned a value of the Python type “%(type)s” instead of its output items."),
            values={"type": type(outputs).__name__},
        )
    safe: dict[str, list[dict]] = {}
    for port, items in outputs.items():
        if items is None:
            items = []
        converted = json_safe(items, path=str(port))
        if not isinstance(converted, list):
            converted = [converted]  # a single item where a list was meant
        safe[str(port)] = converted
    return safe
