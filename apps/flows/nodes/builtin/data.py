"""Nodes that shape items: set, rename, remove, filter, sort, limit, de-duplicate, aggregate, split out, date/time."""

from __future__ import annotations

import datetime as dt
import json

from dateutil.relativedelta import relativedelta

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import (
    COMBINE_PARAM,
    conditions_match,
    conditions_param,
    copy_item,
    delete_path,
    get_path,
    set_path,
    with_output_field,
)
from apps.flows.nodes.builtin.from_n8n import data as from_n8n
from apps.flows.nodes.builtin.from_n8n import dates as from_n8n_dates
from apps.flows.nodes.builtin.from_n8n import export as to_n8n
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

FIELD = Param("name", "string", t("Field", "필드"), required=True, expressions=False)


@register
class SetFields(NodeType):
    key = "data.set"
    n8n = (
        N8nMapping(("n8n-nodes-base.set",), from_n8n.set_fields, export=to_n8n.set_fields),
    )  # JSON mode and empty ones: see code.javascript, flow.noop
    icon = "pencil"
    label = t("Set fields", "필드 설정")
    description = t("Adds or changes fields on every item.", "모든 항목에 필드를 추가하거나 값을 바꿉니다.")
    params = (
        Param(
            "fields",
            "list",
            t("Fields", "필드"),
            required=True,
            default=[],
            item_fields=(FIELD, Param("value", "string", t("Value", "값"))),
        ),
        Param("keep_other_fields", "boolean", t("Keep the other fields", "다른 필드 유지"), default=True, expressions=False),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            result = copy_item(item) if params["keep_other_fields"] else {}
            for entry in params["fields"] or []:
                set_path(result, entry["name"], entry.get("value"))
            out.append(result)
        return {"main": out}


@register
class RenameFields(NodeType):
    key = "data.rename"
    n8n = (N8nMapping(("n8n-nodes-base.renameKeys",), from_n8n.rename_keys),)
    description = t("Gives fields new names, for example to match another system.", "다른 시스템에 맞추는 등 필드에 새 이름을 붙입니다.")
    icon = "pencil"
    label = t("Rename fields", "필드 이름 바꾸기")
    params = (
        Param(
            "renames",
            "list",
            t("Renames", "이름 바꾸기"),
            required=True,
            default=[],
            expressions=False,
            item_fields=(
                Param("from", "string", t("Current name", "현재 이름"), required=True),
                Param("to", "string", t("New name", "새 이름"), required=True),
            ),
        ),
    )
    per_item = False

    def execute(self, ctx):
        renames = ctx.params()["renames"] or []
        out = []
        for item in ctx.items:
            result = copy_item(item)
            for entry in renames:
                value = get_path(result, entry["from"], _ABSENT)
                if value is not _ABSENT:
                    delete_path(result, entry["from"])
                    set_path(result, entry["to"], value)
            out.append(result)
        return {"main": out}


_ABSENT = object()


@register
class RemoveFields(NodeType):
    key = "data.remove"
    description = t("Removes fields you don't need from every item.", "모든 항목에서 필요 없는 필드를 지웁니다.")
    icon = "eraser"
    label = t("Remove fields", "필드 삭제")
    params = (Param("fields", "list", t("Fields to remove", "삭제할 필드"), required=True, default=[], expressions=False),)
    per_item = False

    def execute(self, ctx):
        fields = ctx.params()["fields"] or []
        out = []
        for item in ctx.items:
            result = copy_item(item)
            for path in fields:
                delete_path(result, path)
            out.append(result)
        return {"main": out}


@register
class Filter(NodeType):
    key = "data.filter"
    n8n = (N8nMapping(("n8n-nodes-base.filter",), from_n8n.filter_items, outputs=("main", "discarded"), export=to_n8n.filter_items),)
    icon = "filter"
    label = t("Filter", "필터")
    description = t("Keeps only the items that match the conditions.", "조건에 맞는 항목만 남깁니다.")
    params = (conditions_param(), COMBINE_PARAM)
    outputs = ("main", "discarded")

    def execute(self, ctx):
        kept, dropped = [], []
        for _index, item, params in ctx.each():
            (kept if conditions_match(params["conditions"], params["combine"]) else dropped).append(item)
        return {"main": kept, "discarded": dropped}


@register
class Sort(NodeType):
    key = "data.sort"
    n8n = (
        N8nMapping(("n8n-nodes-base.sort",), from_n8n.sort, export=to_n8n.sort),
        N8nMapping(("n8n-nodes-base.itemLists",), from_n8n.sort, when=from_n8n.item_lists_is("sort")),
    )
    description = t("Puts items in order by one or more fields.", "하나 이상의 필드 기준으로 항목을 정렬합니다.")
    icon = "sort"
    label = t("Sort", "정렬")
    per_item = False
    params = (
        Param("field", "string", t("Sort by field", "정렬 기준 필드"), required=True, expressions=False),
        Param(
            "order",
            "select",
            t("Order", "순서"),
            default="asc",
            expressions=False,
            options=(("asc", t("ascending", "오름차순")), ("desc", t("descending", "내림차순"))),
        ),
    )

    def execute(self, ctx):
        params = ctx.params()
        field = params["field"]

        def sort_key(item):
            value = get_path(item, field)
            return (value is None, isinstance(value, str), value if value is not None else 0)

        try:
            ordered = sorted(ctx.items, key=sort_key, reverse=params["order"] == "desc")
        except TypeError:
            ordered = sorted(ctx.items, key=lambda i: str(get_path(i, field, "")), reverse=params["order"] == "desc")
        return {"main": ordered}


@register
class Limit(NodeType):
    key = "data.limit"
    n8n = (
        N8nMapping(("n8n-nodes-base.limit",), from_n8n.limit, export=to_n8n.limit),
        N8nMapping(("n8n-nodes-base.itemLists",), from_n8n.limit, when=from_n8n.item_lists_is("limit")),
    )
    description = t("Passes on only the first (or last) few items.", "앞(또는 뒤)의 몇 개 항목만 다음 단계로 넘깁니다.")
    icon = "scissors"
    label = t("Limit", "개수 제한")
    per_item = False
    params = (
        Param("max_items", "integer", t("Keep at most", "최대 개수"), default=10, minimum=0, required=True),
        Param(
            "keep",
            "select",
            t("Keep", "남길 항목"),
            default="first",
            expressions=False,
            options=(("first", t("the first items", "앞쪽 항목")), ("last", t("the last items", "뒤쪽 항목"))),
        ),
    )

    def execute(self, ctx):
        params = ctx.params()
        limit = int(params["max_items"])
        items = ctx.items
        return {"main": items[:limit] if params["keep"] == "first" else (items[-limit:] if limit else [])}


@register
class RemoveDuplicates(NodeType):
    key = "data.dedupe"
    n8n = (
        N8nMapping(("n8n-nodes-base.removeDuplicates",), from_n8n.remove_duplicates),
        N8nMapping(("n8n-nodes-base.itemLists",), from_n8n.remove_duplicates, when=from_n8n.item_lists_is("removeDuplicates")),
    )
    description = t(
        "Keeps only the first item for each value, so nothing is handled twice.",
        "같은 값의 항목은 처음 하나만 남겨 두 번 처리되지 않게 합니다.",
    )
    icon = "copy"
    label = t("Remove duplicates", "중복 제거")
    per_item = False
    params = (
        Param("fields", "list", t("Compare fields (empty: whole item)", "비교할 필드 (비우면 항목 전체)"), default=[], expressions=False),
    )

    def execute(self, ctx):
        fields = ctx.params()["fields"] or []
        seen, out = set(), []
        for item in ctx.items:
            identity = json.dumps([get_path(item, f) for f in fields] if fields else item, sort_keys=True, default=str)
            if identity not in seen:
                seen.add(identity)
                out.append(item)
        return {"main": out}


@register
class Aggregate(NodeType):
    key = "data.aggregate"
    n8n = (
        N8nMapping(("n8n-nodes-base.aggregate",), from_n8n.aggregate),
        N8nMapping(("n8n-nodes-base.itemLists",), from_n8n.aggregate, when=from_n8n.item_lists_is("aggregateItems")),
    )
    icon = "layers"
    label = t("Aggregate", "모으기")
    description = t("Combines all items into one item.", "모든 항목을 하나의 항목으로 모읍니다.")
    per_item = False
    params = (
        Param(
            "mode",
            "select",
            t("Collect", "모을 내용"),
            default="all",
            expressions=False,
            options=(
                ("all", t("whole items into a list", "항목 전체를 목록으로")),
                ("fields", t("chosen fields into lists", "선택한 필드를 목록으로")),
            ),
        ),
        Param("fields", "list", t("Fields", "필드"), default=[], expressions=False),
        Param("output_field", "string", t("Output field", "결과 필드"), default="items", expressions=False),
    )

    def execute(self, ctx):
        params = ctx.params()
        if params["mode"] == "fields":
            return {"main": [{f: [get_path(i, f) for i in ctx.items] for f in params["fields"] or []}]}
        return {"main": [{params["output_field"] or "items": list(ctx.items)}]}


@register
class Summarize(NodeType):
    key = "data.summarize"
    n8n = (N8nMapping(("n8n-nodes-base.summarize",), from_n8n.summarize),)
    icon = "layers"
    label = t("Summarize (totals by group)", "요약 (그룹별 합계)")
    description = t(
        "Totals, counts, averages or joined text of fields over all items, or per group of items with the same values "
        "(like a pivot table); one item per group.",
        "모든 항목(또는 값이 같은 항목끼리 묶은 그룹)의 필드 합계, 개수, 평균, 이어 붙인 글을 냅니다(피벗 표처럼). "
        "그룹마다 항목 하나를 냅니다.",
    )
    aliases = ("summarize", "group by", "pivot", "total", "합계", "그룹", "피벗", "집계")
    per_item = False
    params = (
        Param(
            "summaries",
            "list",
            t("Summaries", "요약할 값"),
            default=[],
            expressions=False,
            item_fields=(
                Param(
                    "aggregation",
                    "select",
                    t("How", "방법"),
                    default="sum",
                    options=(
                        ("count", t("count", "개수")),
                        ("count_unique", t("count different values", "서로 다른 값 개수")),
                        ("sum", t("sum", "합계")),
                        ("average", t("average", "평균")),
                        ("min", t("smallest", "최솟값")),
                        ("max", t("largest", "최댓값")),
                        ("append", t("list of the values", "값 목록")),
                        ("concatenate", t("join as text", "글로 이어 붙이기")),
                    ),
                ),
                Param("field", "string", t("Field", "필드"), required=True),
                Param("separator", "string", t("Separator (join as text)", "구분자(글로 이어 붙이기)"), default=","),
                Param("output", "string", t("Result field (empty: e.g. sum_amount)", "결과 필드(비우면 예: sum_amount)")),
            ),
        ),
        Param(
            "group_by",
            "list",
            t("Group by fields (empty: all items together)", "그룹으로 묶을 필드(비우면 모든 항목 함께)"),
            default=[],
            expressions=False,
        ),
        Param("include_empty", "boolean", t("Count empty values too", "빈 값도 포함"), default=False, expressions=False),
    )

    def execute(self, ctx):
        params = ctx.params()
        group_by = [str(f) for f in params["group_by"] or [] if str(f).strip()]
        groups: dict[str, tuple[dict, list[dict]]] = {}
        for item in ctx.items:
            keys = {field: get_path(item, field) for field in group_by}
            groups.setdefault(json.dumps(keys, sort_keys=True, default=str), (keys, []))[1].append(item)
        if not ctx.items and not group_by:
            groups["{}"] = ({}, [])
        out = []
        for keys, members in groups.values():
            result = {}
            for field, value in keys.items():
                set_path(result, field, value)
            for summary in params["summaries"] or []:
                how, field = summary.get("aggregation", "sum"), str(summary.get("field") or "")
                values = [get_path(item, field) for item in members]
                if not params["include_empty"]:
                    values = [v for v in values if v is not None and v != ""]
                name = summary.get("output") or f"{_SUMMARY_PREFIX.get(how, how)}_{field}"
                result[name] = _summarize(how, values, summary.get("separator", ","), field)
            out.append(result)
        return {"main": out}


_SUMMARY_PREFIX = {"count_unique": "unique_count", "append": "appended", "concatenate": "concatenated"}


def _summarize(how: str, values: list, separator, field: str):
    if how == "count":
        return len(values)
    if how == "count_unique":
        return len({json.dumps(v, sort_keys=True, default=str) for v in values})
    if how == "append":
        return values
    if how == "concatenate":
        return str(separator if separator is not None else ",").join(
            v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values
        )
    numbers = []
    for value in values:
        try:
            numbers.append(float(value) if not isinstance(value, (int, float)) or isinstance(value, bool) else value)
        except (TypeError, ValueError):
            raise NodeError(
                gettext_noop("“%(value)s” in the field “%(field)s” is not a number, so it cannot be added up."),
                code="not_a_number",
                values={"value": str(value)[:100], "field": field},
            ) from None
    if not numbers:
        return 0 if how == "sum" else None
    if how == "sum":
        return sum(numbers)
    if how == "average":
        return sum(numbers) / len(numbers)
    return min(numbers) if how == "min" else max(numbers)


@register
class SplitOut(NodeType):
    key = "data.split_out"
    n8n = (
        N8nMapping(("n8n-nodes-base.splitOut",), from_n8n.split_out, export=to_n8n.split_out),
        N8nMapping(("n8n-nodes-base.itemLists",), from_n8n.split_out, when=from_n8n.item_lists_is("splitOutItems")),
    )
    icon = "split"
    label = t("Split out a list", "목록 나누기")
    description = t("Turns a list inside an item into separate items.", "항목 안의 목록을 각각의 항목으로 나눕니다.")
    params = (
        Param("field", "string", t("List field", "목록 필드"), required=True, expressions=False),
        Param("include_other_fields", "boolean", t("Keep the item's other fields", "다른 필드 유지"), default=False, expressions=False),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            values = get_path(item, params["field"])
            if values is None:
                continue
            if not isinstance(values, list):
                values = [values]
            for value in values:
                base = copy_item(item) if params["include_other_fields"] else {}
                if params["include_other_fields"]:
                    delete_path(base, params["field"])
                if isinstance(value, dict) and not params["include_other_fields"]:
                    out.append(dict(value))
                else:
                    set_path(base, params["field"].split(".")[-1], value)
                    out.append(base)
        return {"main": out}


@register
class DateTime(NodeType):
    key = "data.datetime"
    n8n = (N8nMapping(("n8n-nodes-base.dateTime",), from_n8n_dates.date_time, when=from_n8n_dates.date_time_is_supported),)
    description = t(
        "Reads, changes and formats dates and times, in your organization's time zone.",
        "조직의 시간대로 날짜와 시간을 읽고, 바꾸고, 원하는 모양으로 씁니다.",
    )
    icon = "calendar"
    label = t("Date and time", "날짜와 시간")
    params = (
        Param(
            "operation",
            "select",
            t("Operation", "작업"),
            default="format",
            expressions=False,
            options=(
                ("now", t("current date and time", "현재 날짜와 시간")),
                ("format", t("format a date", "날짜 형식 바꾸기")),
                ("add", t("add to a date", "날짜에 더하기")),
                ("subtract", t("subtract from a date", "날짜에서 빼기")),
                ("difference", t("time between two dates", "두 날짜 사이 시간")),
            ),
        ),
        Param("value", "string", t("Date", "날짜"), default="{{ now() }}"),
        Param("other", "string", t("Second date", "두 번째 날짜"), default=""),
        Param("amount", "number", t("Amount", "양"), default=1),
        Param(
            "unit",
            "select",
            t("Unit", "단위"),
            default="days",
            expressions=False,
            options=(
                ("seconds", t("seconds", "초")),
                ("minutes", t("minutes", "분")),
                ("hours", t("hours", "시간")),
                ("days", t("days", "일")),
                ("weeks", t("weeks", "주")),
                ("months", t("months", "개월")),
                ("years", t("years", "년")),
            ),
        ),
        Param(
            "format",
            "string",
            t("Format", "형식"),
            default="%Y-%m-%d %H:%M",
            expressions=False,
            help=t("Python strftime codes, e.g. %Y-%m-%d", "strftime 형식, 예: %Y-%m-%d"),
        ),
        Param("output_field", "string", t("Output field", "결과 필드"), default="date", expressions=False),
    )

    def execute(self, ctx):
        now = ctx.host.now()
        return with_output_field(ctx, lambda item, params: self._compute(params, now))

    @staticmethod
    def _compute(params: dict, now: dt.datetime):
        if params["operation"] == "now":
            return now.isoformat()
        moment = _to_datetime(params["value"], now.tzinfo)
        unit = params["unit"]
        if params["operation"] == "format":
            return moment.strftime(params["format"])
        amount = _number(params["amount"])
        # calendar units: 31 January + 1 month is 28/29 February, not 3 March
        delta = relativedelta(**{unit: int(amount)}) if unit in ("months", "years") else dt.timedelta(**{unit: amount})
        if params["operation"] == "add":
            return (moment + delta).isoformat()
        if params["operation"] == "subtract":
            return (moment - delta).isoformat()
        other = _to_datetime(params["other"], now.tzinfo)
        if unit in ("months", "years"):
            between = relativedelta(other, moment)
            months = between.years * 12 + between.months
            return months if unit == "months" else between.years
        return (other - moment).total_seconds() / dt.timedelta(**{unit: 1}).total_seconds()


def _number(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        raise NodeError(gettext_noop("“%(value)s” is not a number."), code="bad_number", values={"value": str(value)}) from None


def _to_datetime(value, tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tzinfo)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tzinfo)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, tz=tzinfo)
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise NodeError(
            gettext_noop("“%(value)s” is not a date. Use a form like 2026-01-31 or 2026-01-31T09:00:00."),
            code="bad_date",
            values={"value": str(value)},
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tzinfo)
