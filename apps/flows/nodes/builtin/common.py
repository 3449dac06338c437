"""Helpers shared by node types: dotted paths into items and the condition list used by IF, filter and switch."""

from __future__ import annotations

from typing import Any

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import Param, t

MISSING = object()


def get_path(item: Any, path: str, default: Any = None) -> Any:
    current = item
    for part in str(path).split(".") if path else []:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.lstrip("-").isdecimal() and -len(current) <= int(part) < len(current):
            current = current[int(part)]
        else:
            return default
    return current


def set_path(item: dict, path: str, value: Any) -> None:
    parts = str(path).split(".")
    current = item
    for part in parts[:-1]:
        nxt = current.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            current[part] = nxt
        current = nxt
    current[parts[-1]] = value


def delete_path(item: dict, path: str) -> None:
    parts = str(path).split(".")
    current = item
    for part in parts[:-1]:
        current = current.get(part)
        if not isinstance(current, dict):
            return
    current.pop(parts[-1], None)


def with_output_field(ctx, compute) -> dict[str, list[dict]]:
    """Each input item, copied, with `compute(item, params)` stored in the node's `output_field`."""
    out = []
    for _index, item, params in ctx.each():
        result = copy_item(item)
        set_path(result, params["output_field"], compute(item, params))
        out.append(result)
    return {"main": out}


def copy_item(item: dict) -> dict:
    """A copy deep enough that changing nested objects never alters another node's output."""
    return {k: (copy_item(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in item.items()}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("equals", "not_equals"):
        ln, rn = _number(left), _number(right)
        same = (
            ln == rn
            if ln is not None and rn is not None
            else str(left if left is not None else "") == str(right if right is not None else "")
        )
        return same if op == "equals" else not same
    if op in ("gt", "gte", "lt", "lte"):
        ln, rn = _number(left), _number(right)
        if ln is None or rn is None:
            ln, rn = str(left), str(right)
        return {"gt": ln > rn, "gte": ln >= rn, "lt": ln < rn, "lte": ln <= rn}[op]
    text, other = "" if left is None else str(left), "" if right is None else str(right)
    if op == "contains":
        return other in text if not isinstance(left, (list, dict)) else right in left
    if op == "not_contains":
        return other not in text if not isinstance(left, (list, dict)) else right not in left
    if op == "starts_with":
        return text.startswith(other)
    if op == "ends_with":
        return text.endswith(other)
    if op == "is_empty":
        return _empty(left)
    if op == "is_not_empty":
        return not _empty(left)
    if op == "is_true":
        return left is True or str(left).lower() in ("true", "1", "yes")
    if op == "is_false":
        return left is False or str(left).lower() in ("false", "0", "no", "")
    raise NodeError(gettext_noop("Unknown comparison “%(operator)s”."), code="bad_operator", values={"operator": str(op)})


OPERATORS = (
    ("equals", t("is equal to", "같음")),
    ("not_equals", t("is not equal to", "같지 않음")),
    ("contains", t("contains", "포함")),
    ("not_contains", t("does not contain", "포함하지 않음")),
    ("starts_with", t("starts with", "~로 시작")),
    ("ends_with", t("ends with", "~로 끝남")),
    ("gt", t("is greater than", "보다 큼")),
    ("gte", t("is greater than or equal to", "보다 크거나 같음")),
    ("lt", t("is less than", "보다 작음")),
    ("lte", t("is less than or equal to", "보다 작거나 같음")),
    ("is_empty", t("is empty", "비어 있음")),
    ("is_not_empty", t("is not empty", "비어 있지 않음")),
    ("is_true", t("is true", "참")),
    ("is_false", t("is false", "거짓")),
)
OPERATOR_KEYS = frozenset(key for key, _ in OPERATORS)


def conditions_param(name: str = "conditions") -> Param:
    return Param(
        name,
        "conditions",
        t("Conditions", "조건"),
        required=True,
        default=[],
        help=t(
            "Each condition compares a value (usually an expression like {{ json.amount }}) with another.",
            "각 조건은 값(보통 {{ json.amount }} 같은 표현식)을 다른 값과 비교합니다.",
        ),
    )


COMBINE_PARAM = Param(
    "combine",
    "select",
    t("Combine conditions with", "조건 결합 방식"),
    default="and",
    options=(("and", t("all must match (AND)", "모두 만족 (AND)")), ("or", t("any may match (OR)", "하나라도 만족 (OR)"))),
)


def conditions_match(conditions: list[dict], combine: str = "and") -> bool:
    if not conditions:
        return True
    results = (_compare(c.get("operator", "equals"), c.get("left"), c.get("right")) for c in conditions)
    return all(results) if combine != "or" else any(results)
