"""`{{ ... }}` expressions inside node parameters, evaluated per item in a locked-down Jinja2 sandbox.

What an expression can reach is only what the engine passes in: the current item (`json`), earlier nodes' output
(`nodes["Name"].json`, `.items`), `run`, `flow`, `vars`, and a few helpers (`now()`, `today()`, `days()`...).
Attribute access is limited to whitelisted, harmless methods of plain data; every refusal raises a clear error
instead of quietly evaluating to nothing; operators and calls are bounded so that no expression can allocate
gigabytes or compute for minutes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json as jsonlib
import math
import operator
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2 import nodes as jinja_nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from apps.flows.engine import expression_limits as limits
from apps.flows.engine.errors import ExpressionError, ExpressionSecurityError, gettext_noop
from apps.flows.engine.expression_limits import Function, tick, unwrap

MAX_EXPRESSION_LENGTH = 5_000
MAX_SIZE = limits.MAX_TEXT  # characters of a string, elements of a list
MAX_EXPONENT = 256
MAX_INT_BITS = 4_096
MAX_NUMERIC_ARGUMENT = 100_000
MAX_AST_NODES = 400
MAX_CONCAT_OPERANDS = 32

EXPRESSION_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        "lower upper title capitalize casefold strip lstrip rstrip split rsplit splitlines startswith endswith find rfind "
        "index rindex count replace join format isdigit isalpha isalnum isnumeric isspace islower isupper removeprefix "
        "removesuffix partition rpartition".split()
    ),
    dict: frozenset({"get", "keys", "values", "items"}),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    dt.datetime: frozenset(
        "year month day hour minute second microsecond tzinfo weekday isoweekday isoformat strftime date time timestamp "
        "replace astimezone".split()
    ),
    dt.date: frozenset("year month day weekday isoweekday isoformat strftime replace".split()),
    dt.timedelta: frozenset({"days", "seconds", "total_seconds"}),
}

SAFE_FILTERS = frozenset(
    "abs capitalize default d first last float int join length count list lower upper max min replace reverse round "
    "sort string sum title trim truncate unique tojson dictsort map select reject selectattr rejectattr batch groupby "
    "items escape e striptags urlencode wordcount bool".split()
)
# Filters that turn their value into text first: a list or object is measured before it becomes text.
TEXT_FILTERS = frozenset("capitalize lower upper replace title trim truncate escape e striptags wordcount".split())
# Filters replaced by bounded versions (linear time, text size known before it is made).
BOUNDED_FILTERS = {
    "join": limits.join_filter,
    "string": limits.string_filter,
    "sum": limits.sum_values,
    "tojson": limits.json_text,
}


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple, dict, set)):
        return len(value)
    return 0


def _check_size(value: Any) -> Any:
    if _size(value) > MAX_SIZE:
        raise ExpressionSecurityError(
            gettext_noop("The result would be too large (over %(limit)s characters or elements)."),
            code="too_large",
            values={"limit": f"{MAX_SIZE:,}"},
        )
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionSecurityError(gettext_noop("The number would be too large."), code="too_large")
    return value


def _check_arguments(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMERIC_ARGUMENT:
            raise ExpressionSecurityError(
                gettext_noop("Numbers given to functions must be between -%(limit)s and %(limit)s."),
                code="too_large",
                values={"limit": f"{MAX_NUMERIC_ARGUMENT:,}"},
            )
        if isinstance(value, str) and ("{" in value) and re.search(r"\d{5,}", value):
            raise ExpressionSecurityError(gettext_noop("Format widths that large are not allowed."), code="too_large")


def bounded_binop(op: str, left: Any, right: Any) -> Any:
    tick()
    if op == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) and len(left) + len(right) > MAX_SIZE:
        raise ExpressionSecurityError(
            gettext_noop("The result would be too large (over %(limit)s characters or elements)."),
            code="too_large",
            values={"limit": f"{MAX_SIZE:,}"},
        )
    if op == "**":
        if not isinstance(right, (int, float)) or abs(right) > MAX_EXPONENT:
            raise ExpressionSecurityError(
                gettext_noop("Powers are limited to exponents up to %(limit)s."), code="too_large", values={"limit": str(MAX_EXPONENT)}
            )
        return _check_size(left**right)
    if op == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and len(sequence) * max(times, 0) > MAX_SIZE:
                raise ExpressionSecurityError(gettext_noop("The repeated text or list would be too large."), code="too_large")
        return _check_size(left * right)
    if op == "%" and isinstance(left, str):
        raise ExpressionSecurityError(
            gettext_noop("Use format() or ~ to build text; the %(operator)s operator is not available for text."),
            code="forbidden",
            values={"operator": "%"},  # a placeholder, so that the catalogue never sees a bare % sign
        )
    functions = {"+": operator.add, "-": operator.sub, "/": operator.truediv, "//": operator.floordiv, "%": operator.mod}
    return _check_size(functions[op](left, right))


def _check_replace(text: str, old: Any = "", new: Any = "") -> None:
    old, new = str(old), str(new)
    occurrences = text.count(old) if old else len(text) + 1
    if len(text) + occurrences * (len(new) - len(old)) > MAX_SIZE:
        raise ExpressionSecurityError(
            gettext_noop("The result would be too large (over %(limit)s characters or elements)."),
            code="too_large",
            values={"limit": f"{MAX_SIZE:,}"},
        )


def _guarded_filter(name: str, function):
    """Compiled templates call filters directly, so the limits are wrapped around each allowed filter."""
    skip = 2 if getattr(function, "jinja_pass_arg", None) else 1  # (context,) value, then the arguments

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        tick()
        _check_arguments(tuple(args[skip:]), kwargs)
        if name in TEXT_FILTERS and len(args) >= skip and not isinstance(args[skip - 1], str):
            args = (*args[: skip - 1], limits.to_text(args[skip - 1]), *args[skip:])
        if name == "replace" and len(args) >= skip + 2 and isinstance(args[skip - 1], str):
            _check_replace(str(args[skip - 1]), *args[skip : skip + 2])
        result = function(*args, **kwargs)
        if isinstance(result, Iterator):  # lazy filters (map, select, items, unique...): their text is an address
            result = limits.collect(result)
        return _check_size(result)

    return guarded


def _check_shape(source: str) -> None:
    """Refuse expressions whose shape alone could make them expensive (huge trees, long ~ chains)."""
    try:
        tree = environment.parse("{{ " + source + " }}")
    except TemplateSyntaxError:
        return  # compile reports it with a better message
    count = 0
    for node in tree.find_all(jinja_nodes.Node):
        count += 1
        if isinstance(node, jinja_nodes.Concat) and len(node.nodes) > MAX_CONCAT_OPERANDS:
            raise ExpressionSecurityError(
                gettext_noop("Join at most %(limit)s pieces with ~ in one expression."),
                code="too_large",
                values={"limit": str(MAX_CONCAT_OPERANDS)},
            )
    if count > MAX_AST_NODES:
        raise ExpressionSecurityError(
            gettext_noop("The expression is too complex. Split it over several fields or steps."), code="too_large"
        )


class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node, frame) -> None:  # noqa: N802  (Jinja's visitor naming)
        # `a ~ b` is compiled to a plain str() join that no sandbox hook sees; it goes through the bounded one.
        self.write("environment.concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class _MissingFieldError(UndefinedError):
    """A field read from a mapping that lacks it (`json.body.amount` when `json` has no `body`): carries the mapping
    so the message can name the fields that do exist, instead of Jinja's `'dict object' has no attribute …`."""

    def __init__(self, owner: Mapping, name: str):
        super().__init__(f"no field {name!r}")
        self.owner, self.name = owner, name


class _Undefined(StrictUndefined):
    __slots__ = ()

    def _fail_with_undefined_error(self, *args, **kwargs):
        if isinstance(self._undefined_obj, Mapping) and isinstance(self._undefined_name, (str, int)):
            raise _MissingFieldError(self._undefined_obj, str(self._undefined_name))
        return super()._fail_with_undefined_error(*args, **kwargs)

    __iter__ = __str__ = __len__ = __eq__ = __ne__ = __bool__ = __hash__ = __contains__ = _fail_with_undefined_error
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail_with_undefined_error
    __pos__ = __neg__ = __call__ = __getitem__ = __lt__ = __le__ = __gt__ = __ge__ = __int__ = _fail_with_undefined_error
    __float__ = __complex__ = __pow__ = __rpow__ = _fail_with_undefined_error

    def __getattr__(self, name: str):
        if name[:2] == "__":
            raise AttributeError(name)
        return self._fail_with_undefined_error()


FIELDS_NAMED = 12  # fields listed in a missing-field message; more are counted


def _missing_field(exc: _MissingFieldError, scope: dict) -> ExpressionError:
    names = [str(key) for key in list(exc.owner)[: FIELDS_NAMED + 1]]
    fields = ", ".join(names[:FIELDS_NAMED]) + (f" … (+{len(exc.owner) - FIELDS_NAMED})" if len(exc.owner) > FIELDS_NAMED else "")
    values = {"field": exc.name, "fields": fields}
    if exc.owner is scope.get("json"):
        if not names:
            return ExpressionError(
                gettext_noop("The previous step's result has no '%(field)s' field: it is empty."), code="missing_field", values=values
            )
        template = gettext_noop("The previous step's result has no '%(field)s' field. Fields it has: %(fields)s")
    elif not names:
        return ExpressionError(gettext_noop("There is no '%(field)s' field here: the value is empty."), code="missing_field", values=values)
    else:
        template = gettext_noop("There is no '%(field)s' field here. Fields there are: %(fields)s")
    return ExpressionError(template, code="missing_field", values=values)


class ExpressionEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})
    code_generator_class = _CodeGenerator

    def __init__(self):
        super().__init__(undefined=_Undefined, autoescape=False)
        filters = {**self.filters, **BOUNDED_FILTERS}
        self.filters = {name: _guarded_filter(name, f) for name, f in filters.items() if name in SAFE_FILTERS}
        self.globals = {"range": Function(limits.bounded_range, "range"), "dict": Function(dict, "dict")}

    @staticmethod
    def concat(values) -> str:
        return limits.concat(values)

    def wrap_str_format(self, value: Any):
        if getattr(value, "__name__", None) in ("format", "format_map") and isinstance(getattr(value, "__self__", None), str):
            return limits.bounded_format(self, value.__self__, value.__name__)
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        for kind, allowed in SAFE_METHODS.items():
            if isinstance(obj, kind):
                return attr in allowed
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        # Data first: an item field called "items" or "keys" must win over the dict method of that name.
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        if attribute.startswith("_"):
            return self.unsafe_undefined(obj, attribute)
        return _as_function(super().getattr(obj, attribute), attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        if isinstance(argument, str) and argument.startswith("_") and not isinstance(obj, dict):
            return self.unsafe_undefined(obj, argument)
        return _as_function(super().getitem(obj, argument), argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise ExpressionSecurityError(
            gettext_noop("“%(name)s” is not available in expressions."), code="forbidden", values={"name": attribute}
        )

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        return bounded_binop(operator_name, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805  (Jinja's signature)
        tick()
        _check_arguments(args, kwargs)
        original = unwrap(__obj)
        bound_to = getattr(original, "__self__", None)
        if isinstance(bound_to, str) and getattr(original, "__name__", "") == "replace":
            _check_replace(bound_to, *args[:2])
        elif isinstance(bound_to, str) and getattr(original, "__name__", "") == "join" and args:
            limits.check_text_join(bound_to, args[0])
        result = super().call(__context, original, *args, **kwargs)
        if isinstance(result, Iterator):
            result = limits.collect(result)
        return _check_size(result)


def _as_function(value: Any, name: Any) -> Any:
    """Methods reached through an attribute become Functions: callable, but never text (it would show addresses)."""
    if callable(value) and not isinstance(value, (Function, type, StrictUndefined)):
        return Function(value, str(name))
    return value


environment = ExpressionEnvironment()


def helpers(now: dt.datetime) -> dict:
    return {name: Function(function, name) for name, function in _helper_functions(now).items()}


def _helper_functions(now: dt.datetime) -> dict:
    return {
        "now": lambda: now,
        "today": lambda: now.date(),
        "days": lambda n=1: dt.timedelta(days=n),
        "hours": lambda n=1: dt.timedelta(hours=n),
        "minutes": lambda n=1: dt.timedelta(minutes=n),
        "parse_date": _parse_date,
        "to_json": limits.json_text,
        "from_json": _from_json,
        "round": round,
        "floor": math.floor,
        "ceil": math.ceil,
        "len": len,
        "str": limits.to_text,
        "int": int,
        "float": float,
        "min": min,
        "max": max,
        "sum": limits.sum_values,
        "abs": abs,
        "sorted": sorted,
    }


def _parse_date(text: str) -> dt.datetime | dt.date:
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ExpressionError(
            gettext_noop("“%(value)s” is not a date like 2026-01-31 or 2026-01-31T09:00:00."), code="bad_date", values={"value": str(text)}
        ) from None


def _from_json(text: str) -> Any:
    if len(text) > MAX_SIZE:
        raise ExpressionSecurityError(gettext_noop("The text is too large."), code="too_large")
    try:
        return jsonlib.loads(text)
    except ValueError as exc:
        raise ExpressionError(
            gettext_noop("The text is not valid JSON: %(reason)s"), code="bad_json", values={"reason": str(exc)}
        ) from None


@lru_cache(maxsize=4096)
def _compile(source: str):
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionSecurityError(
            gettext_noop("Expressions are limited to %(limit)s characters."),
            code="too_large",
            values={"limit": f"{MAX_EXPRESSION_LENGTH:,}"},
        )
    try:
        _check_shape(source)
        names = frozenset(meta.find_undeclared_variables(environment.parse("{{ " + source + " }}")))
        return environment.compile_expression(source, undefined_to_none=False), names
    except TemplateSyntaxError as exc:
        raise ExpressionError(
            gettext_noop("The expression has a syntax error: %(reason)s"), code="syntax_error", values={"reason": str(exc.message)}
        ) from None
    except RecursionError:
        raise ExpressionSecurityError(gettext_noop("The expression is nested too deeply."), code="too_deep") from None


def check_syntax(text: str) -> list[str]:
    """Syntax problems of every `{{ }}` in a parameter value (for validation, without evaluating)."""
    problems = []
    if text.count("{{") != text.count("}}"):
        problems.append("An expression is missing its closing }}.")
    for match in EXPRESSION_RE.finditer(text):
        try:
            _compile(match.group(1).strip())
        except ExpressionError as exc:
            problems.append(exc.message)
    return problems


# Python's names for the kinds of values, as a person calls them (the words are translated where they are shown).
_KINDS = {
    "int": gettext_noop("a number"),
    "float": gettext_noop("a number"),
    "Decimal": gettext_noop("a number"),
    "str": gettext_noop("text"),
    "NoneType": gettext_noop("an empty value"),
    "list": gettext_noop("a list"),
    "tuple": gettext_noop("a list"),
    "dict": gettext_noop("a group of fields"),
    "bool": gettext_noop("yes/no"),
}
_TYPE_NAMES = re.compile(r"'(\w+)'")
_NOT_A_NUMBER = re.compile(r"(?:invalid literal for int\(\) with base \d+|could not convert string to float): (.*)$")


def _kinds_in(message: str) -> list[str]:
    kinds = []
    for name in _TYPE_NAMES.findall(message):
        if name in _KINDS and _KINDS[name] not in kinds:
            kinds.append(_KINDS[name])
    return kinds


def _in_words(exc: Exception) -> tuple[str, dict]:
    """A failed Python operation said as a person would (issue 17: no Python wording reaches a person): the template
    and values of the step's error. What has no plainer words keeps Python's explanation, without the class name."""
    reason = str(exc)
    if isinstance(exc, TypeError):
        if "NoneType" in reason:
            return gettext_noop("A value the expression uses is empty, so it cannot be used here. Check that the field is filled in."), {}
        if re.search(r"unsupported operand|can only concatenate|not supported between|must be str, not", reason):
            kinds = _kinds_in(reason)
            if len(kinds) == 2:
                return (
                    gettext_noop(
                        "The expression combines or compares values of different kinds (%(kind_first)s and %(kind_second)s). "
                        "Turn text into a number with int(…) or float(…), or a number into text with str(…)."
                    ),
                    {"kind_first": kinds[0], "kind_second": kinds[1]},
                )
            return (
                gettext_noop(
                    "The expression combines or compares values of different kinds. Turn text into a number with "
                    "int(…) or float(…), or a number into text with str(…)."
                ),
                {},
            )
        if re.search(r"not iterable|not subscriptable|has no len", reason):
            kinds = _kinds_in(reason)
            return (
                gettext_noop("The expression treats %(kind)s as a list or a group of fields."),
                {"kind": kinds[0] if kinds else gettext_noop("a single value")},
            )
    if isinstance(exc, ValueError) and (match := _NOT_A_NUMBER.search(reason)):
        return gettext_noop("%(value)s is not a number, so it cannot be turned into one."), {"value": match.group(1)}
    if isinstance(exc, IndexError):
        return gettext_noop("The list has no item at that position (it is shorter, or empty)."), {}
    if isinstance(exc, KeyError):
        return gettext_noop("There is no field %(field)s here."), {"field": reason}
    return gettext_noop("The expression could not be worked out: %(reason)s"), {"reason": reason}


def _evaluate_one(source: str, scope: dict) -> Any:
    compiled, names = _compile(source.strip())
    clock = limits.start_clock()
    try:
        # Only the names the expression uses: building Jinja's context is the main cost per evaluation.
        value = compiled(**{name: scope[name] for name in names if name in scope})
    except (ExpressionError, ExpressionSecurityError):
        raise
    except SecurityError as exc:
        raise ExpressionSecurityError(
            gettext_noop("Not allowed in expressions: %(reason)s"), code="forbidden", values={"reason": str(exc)}
        ) from None
    except _MissingFieldError as exc:
        raise _missing_field(exc, scope) from None
    except UndefinedError as exc:
        raise ExpressionError(
            gettext_noop("Unknown name or field: %(reason)s"), code="undefined", values={"reason": str(exc.message)}
        ) from None
    except RecursionError:
        raise ExpressionSecurityError(gettext_noop("The expression recursed too deeply."), code="too_deep") from None
    except (MemoryError, OverflowError) as exc:
        raise ExpressionSecurityError(
            gettext_noop("The expression needs too many resources: %(reason)s"), code="too_large", values={"reason": str(exc)}
        ) from None
    except ZeroDivisionError:  # said in words: "ZeroDivisionError: division by zero" is Python's wording
        raise ExpressionError(
            gettext_noop("Division by zero: the number the expression divides by is 0 or empty."), code="failed"
        ) from None
    except Exception as exc:  # a user's expression may fail in any way a Python operation can
        template, values = _in_words(exc)
        raise ExpressionError(template, code="failed", values=values) from None
    finally:
        limits.stop_clock(clock)
    if isinstance(value, StrictUndefined):
        if value._undefined_obj is missing:  # a name that does not exist at all, e.g. a typo
            raise ExpressionError(
                gettext_noop("Unknown name “%(name)s”. Use json, nodes, run, flow, vars or now()."),
                code="undefined",
                values={"name": str(value._undefined_name)},
            )
        return None  # a missing field of an item is simply empty
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list)):
        return limits.json_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return limits.to_text(value)


def _as_text_clocked(value: Any) -> str:
    clock = limits.start_clock()
    try:
        return _as_text(value)
    finally:
        limits.stop_clock(clock)


def evaluate(value: Any, scope: dict) -> Any:
    """Resolve expressions inside a parameter value (recursively through dicts and lists).

    A string that is exactly one `{{ expr }}` yields the expression's own value (number, list, object...);
    text around expressions yields text.
    """
    if isinstance(value, str):
        if "{{" not in value:
            return value
        stripped = value.strip()
        match = EXPRESSION_RE.fullmatch(stripped)
        if match and "{{" not in match.group(1):
            return _evaluate_one(match.group(1), scope)
        if value.count("{{") != value.count("}}"):
            raise ExpressionError(gettext_noop("An expression is missing its closing }}."), code="syntax_error")
        return _check_size(EXPRESSION_RE.sub(lambda m: _as_text_clocked(_evaluate_one(m.group(1), scope)), value))
    if isinstance(value, dict):
        return {key: evaluate(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate(item, scope) for item in value]
    return value


def has_expressions(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(has_expressions(v) for v in value.values())
    if isinstance(value, list):
        return any(has_expressions(v) for v in value)
    return False


def build_scope(*, item: dict, item_index: int, node_outputs: dict, run: dict, flow: dict, variables: dict, now: dt.datetime) -> dict:
    scope = helpers(now)
    scope.update(json=item, item=item, index=item_index, nodes=node_outputs, run=run, flow=flow, vars=variables)
    return scope


__all__ = ["ExpressionError", "ExpressionSecurityError", "build_scope", "check_syntax", "evaluate", "has_expressions", "helpers"]


def n8n_dynamic(value: Any) -> bool:
    """Whether a parameter of an n8n-dialect step holds an n8n expression (a string starting with "=") anywhere."""
    if isinstance(value, str):
        return value.startswith("=")
    if isinstance(value, dict):
        return any(n8n_dynamic(v) for v in value.values())
    if isinstance(value, list):
        return any(n8n_dynamic(v) for v in value)
    return False
