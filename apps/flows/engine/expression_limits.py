"""Time and size limits for one expression evaluation, checked while it runs (not after it allocated).

The sandbox calls back into the engine for every attribute, item, call, operator and filter; each callback checks
a per-evaluation deadline, so a slow expression stops within milliseconds of its limit. Values are turned into
text (`~`, `string`, `join`, `format`, `tojson`) only after their text size has been estimated against the limit,
and functions never turn into text at all: their text would show memory addresses.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json as jsonlib
import re
import time
from collections.abc import Iterator, Mapping
from string import Formatter
from typing import Any

from apps.flows.engine.errors import ExpressionError, ExpressionSecurityError, gettext_noop

MAX_SECONDS = 1.0  # for one evaluation of one expression
MAX_TEXT = 1_000_000  # characters of text made from a value
MAX_ELEMENTS = 1_000_000  # elements collected from a filter's result
MAX_RANGE = 100_000
MAX_FORMAT_WIDTH = 1_000
MAX_JSON_INDENT = 8
_TICK_EVERY = 1_024

_deadline: contextvars.ContextVar[float] = contextvars.ContextVar("expression_deadline", default=float("inf"))


def limit_error(template: str, **values) -> ExpressionSecurityError:
    return ExpressionSecurityError(template, code="expression_limit", values={k: str(v) for k, v in values.items()})


def start_clock() -> contextvars.Token:
    return _deadline.set(time.monotonic() + MAX_SECONDS)


def stop_clock(token: contextvars.Token) -> None:
    _deadline.reset(token)


def tick() -> None:
    if time.monotonic() > _deadline.get():
        raise limit_error(
            gettext_noop("The expression took longer than its limit of %(seconds)s s and was stopped. Simplify it or split it over steps."),
            seconds=f"{MAX_SECONDS:g}",
        )


def _text_too_large() -> ExpressionSecurityError:
    return limit_error(gettext_noop("The text made by the expression would be over %(limit)s characters."), limit=f"{MAX_TEXT:,}")


class Function:
    """A function inside an expression (a helper such as now, or a method such as json.keys): callable, but never
    text or data. Its Python text would reveal memory addresses, so turning it into text is a clear error."""

    __slots__ = ("__name__", "function")

    def __init__(self, function, name: str):
        self.function = function
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def _refuse(self, *_args):
        raise ExpressionError(
            gettext_noop("“%(name)s” is a function: call it with brackets, e.g. %(name)s()."),
            code="not_called",
            values={"name": self.__name__},
        )

    __str__ = __repr__ = __format__ = __iter__ = __len__ = __bool__ = _refuse


def unwrap(value: Any) -> Any:
    return value.function if isinstance(value, Function) else value


def bounded_range(*args) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise limit_error(gettext_noop("range() is limited to %(limit)s numbers."), limit=f"{MAX_RANGE:,}")
    return numbers


def collect(values: Any) -> list:
    """A generator or iterator as a list (their own text is an address), stopping at the element limit."""
    out = []
    for index, value in enumerate(values):
        if index % _TICK_EVERY == 0:
            tick()
            if index >= MAX_ELEMENTS:
                raise limit_error(gettext_noop("A list in the expression would have over %(limit)s elements."), limit=f"{MAX_ELEMENTS:,}")
        out.append(value)
    return out


def _estimate(value: Any, budget: int, indent: int = 0, depth: int = 0) -> int:
    """Characters of the text (Python or JSON form) of `value`; raises as soon as it exceeds `budget`."""
    if isinstance(value, str):
        size = len(value) + 2
    elif isinstance(value, bool) or value is None:
        size = 5
    elif isinstance(value, int):
        size = value.bit_length() // 3 + 2
    elif isinstance(value, Mapping | list | tuple | set | frozenset | range):
        items = list(value.items()) if isinstance(value, Mapping) else value
        size = 2
        per_item = 2 + (indent * (depth + 1) + 1 if indent else 0)
        for index, item in enumerate(items):
            if index % _TICK_EVERY == 0:
                tick()
            if isinstance(item, tuple) and isinstance(value, Mapping):
                size += _estimate(item[0], budget - size, 0, depth + 1) + _estimate(item[1], budget - size, indent, depth + 1) + 2
            else:
                size += _estimate(item, budget - size, indent, depth + 1)
            size += per_item
            if size > budget:
                raise _text_too_large()
    else:
        size = 40  # numbers, dates, functions (which refuse to become text)
    if size > budget:
        raise _text_too_large()
    return size


def to_text(value: Any) -> str:
    """str(value), for plain data, once its size is known to be within the limit."""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterator):
        value = collect(value)
    if isinstance(value, Mapping) and not isinstance(value, dict):
        value = dict(value)
    _estimate(value, MAX_TEXT)
    return str(value)


def concat(values) -> str:
    """`a ~ b ~ c`: the sandbox's string join, with each piece and the total bounded."""
    pieces, total = [], 0
    for value in values:
        piece = to_text(value)
        total += len(piece)
        if total > MAX_TEXT:
            raise _text_too_large()
        pieces.append(piece)
    return "".join(pieces)


def join_filter(value: Any, d: str = "", attribute: Any = None) -> str:
    from apps.flows.engine.expressions import environment  # the filter is registered on that environment

    separator = to_text(d)
    pieces, total = [], 0
    for index, item in enumerate(collect(value) if not isinstance(value, list | tuple) else value):
        if index % _TICK_EVERY == 0:
            tick()
        if attribute is not None:
            item = environment.getitem(item, attribute)
        piece = to_text(item)
        total += len(piece) + len(separator)
        if total > MAX_TEXT + len(separator):
            raise _text_too_large()
        pieces.append(piece)
    return separator.join(pieces)


def check_text_join(separator: str, pieces: Any) -> None:
    """`separator.join(pieces)`: the size of the result, before it is made."""
    if isinstance(pieces, list | tuple):
        total = len(separator) * max(len(pieces) - 1, 0) + sum(len(piece) for piece in pieces if isinstance(piece, str))
        if total > MAX_TEXT:
            raise _text_too_large()


def string_filter(value: Any) -> str:
    return to_text(value)


def sum_values(values: Any, start: Any = 0, attribute: Any = None) -> Any:
    """sum() and |sum in linear time: adding lists or text one by one would copy the growing total each time."""
    from apps.flows.engine.expressions import bounded_binop, environment

    items = values if isinstance(values, list | tuple | range) else collect(values)
    if isinstance(start, list | tuple):
        total: list = list(start)
        for index, item in enumerate(items):
            if index % _TICK_EVERY == 0:
                tick()
            if attribute is not None:
                item = environment.getitem(item, attribute)
            if not isinstance(item, list | tuple):
                raise ExpressionError(gettext_noop("sum() with a list to start from can only add lists."), code="failed")
            total.extend(item)
            if len(total) > MAX_ELEMENTS:
                raise limit_error(gettext_noop("A list in the expression would have over %(limit)s elements."), limit=f"{MAX_ELEMENTS:,}")
        return total
    if isinstance(start, str):
        raise ExpressionError(gettext_noop("Use join to put texts together, not sum()."), code="failed")
    total = start
    for index, item in enumerate(items):
        if index % _TICK_EVERY == 0:
            tick()
        if attribute is not None:
            item = environment.getitem(item, attribute)
        total = bounded_binop("+", total, item)
    return total


def json_text(value: Any, indent: Any = None) -> str:
    """JSON text of a value (the tojson filter and the to_json helper), its size estimated before it is made."""
    if indent is not None and (not isinstance(indent, int) or isinstance(indent, bool) or not 0 <= indent <= MAX_JSON_INDENT):
        raise limit_error(gettext_noop("JSON indentation is limited to %(limit)s spaces."), limit=MAX_JSON_INDENT)
    from apps.flows.engine.jsonsafe import UnstorableOutput, json_safe

    if isinstance(value, Iterator):
        value = collect(value)
    _estimate(value, MAX_TEXT, indent or 0)
    try:
        return jsonlib.dumps(json_safe(value), ensure_ascii=False, indent=indent)
    except UnstorableOutput as exc:  # said as an expression error: the expression made a value JSON cannot hold
        raise ExpressionError(exc.template, code="not_json", values=exc.values) from None


_WIDTH = re.compile(r"\d+")
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta)


class BoundedFormatter(Formatter):
    """str.format in expressions: fields go through the sandbox, widths and the result are bounded, and only plain
    data can be shown (the text of a method or object would reveal internals)."""

    def __init__(self, environment):
        super().__init__()
        self._environment = environment
        self._size = 0

    def get_field(self, field_name, args, kwargs):
        from jinja2.sandbox import formatter_field_name_split

        first, rest = formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = self._environment.getattr(obj, key) if is_attr else self._environment.getitem(obj, key)
        return obj, first

    def convert_field(self, value, conversion):
        return to_text(value) if conversion in ("s", "r") and not isinstance(value, str) else value

    def format_field(self, value, format_spec):
        tick()
        if any(int(number) > MAX_FORMAT_WIDTH for number in _WIDTH.findall(format_spec)):
            raise limit_error(gettext_noop("Widths and precisions in format() are limited to %(limit)s."), limit=f"{MAX_FORMAT_WIDTH:,}")
        if isinstance(value, Function):
            value._refuse()
        text = format(value, format_spec) if isinstance(value, _PLAIN) else format(to_text(value), format_spec)
        self._size += len(text)
        if self._size > MAX_TEXT:
            raise _text_too_large()
        return text


def bounded_format(environment, text: str, name: str):
    """`text.format` / `text.format_map` as the sandbox offers them."""
    formatter = BoundedFormatter(environment)

    def format_text(*args, **kwargs):
        tick()
        formatter._size = 0
        if name == "format_map":
            if kwargs or len(args) != 1:
                raise ExpressionError(gettext_noop("format_map() takes exactly one object."), code="failed")
            args, kwargs = (), args[0]
        return formatter.vformat(text, args, kwargs)

    return Function(format_text, name)
