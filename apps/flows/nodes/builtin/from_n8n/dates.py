"""n8n's Date & Time node (v1: format/calculate with Moment.js formats; v2: Luxon formats and one operation each) to
the date step, whose formats are Python's strftime codes."""

from __future__ import annotations

import re

from apps.flows.nodes.n8n import Converted, convert_expression, warning

# Longest tokens first. Luxon (v2) and Moment.js (v1) spell some codes differently; both are listed.
_LUXON = (
    ("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("LLLL", "%B"), ("LLL", "%b"), ("MM", "%m"), ("LL", "%m"),
    ("M", "%-m"), ("L", "%-m"), ("dd", "%d"), ("d", "%-d"), ("EEEE", "%A"), ("EEE", "%a"), ("cccc", "%A"), ("ccc", "%a"),
    ("HH", "%H"), ("H", "%-H"), ("hh", "%I"), ("h", "%-I"), ("mm", "%M"), ("m", "%-M"), ("ss", "%S"), ("s", "%-S"),
    ("SSS", "%f"), ("a", "%p"), ("ZZZ", "%z"), ("ZZ", "%z"), ("Z", "%z"), ("z", "%Z"),
)  # fmt: skip
_MOMENT = (
    ("YYYY", "%Y"), ("YY", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"), ("M", "%-m"), ("DD", "%d"), ("D", "%-d"),
    ("dddd", "%A"), ("ddd", "%a"), ("HH", "%H"), ("H", "%-H"), ("hh", "%I"), ("h", "%-I"), ("mm", "%M"), ("m", "%-M"),
    ("ss", "%S"), ("s", "%-S"), ("SSS", "%f"), ("A", "%p"), ("a", "%p"), ("ZZ", "%z"), ("Z", "%z"),
)  # fmt: skip
_LITERAL = {"luxon": "'", "moment": "["}


def strftime_format(text: str, flavour: str = "luxon") -> str:
    """A Luxon or Moment.js date format as strftime codes; quoted (Luxon 'at') or bracketed (Moment [at]) text stays."""
    tokens = _LUXON if flavour == "luxon" else _MOMENT
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == _LITERAL[flavour]:
            close = "'" if flavour == "luxon" else "]"
            end = text.find(close, index + 1)
            end = len(text) if end < 0 else end
            out.append(text[index + 1 : end].replace("%", "%%"))
            index = end + 1
            continue
        for token, code in tokens:
            if text.startswith(token, index):
                out.append(code)
                index += len(token)
                break
        else:
            out.append("%%" if char == "%" else char)
            index += 1
    return "".join(out)


_PRESETS = {"X": None, "x": None}
_UNITS = {
    "seconds": "seconds", "second": "seconds", "minutes": "minutes", "minute": "minutes", "hours": "hours", "hour": "hours",
    "days": "days", "day": "days", "weeks": "weeks", "week": "weeks", "months": "months", "month": "months",
    "years": "years", "year": "years", "quarters": "months", "quarter": "months",
}  # fmt: skip

V2_OPERATIONS = ("getCurrentDate", "addToDate", "subtractFromDate", "formatDate", "getTimeBetweenDates")


def date_time_is_supported(node: dict) -> bool:
    p = node.get("parameters") or {}
    if float(node.get("typeVersion") or 1) >= 2:
        if p.get("operation", "getCurrentDate") == "formatDate" and p.get("format") in _PRESETS:
            return False
        return p.get("operation", "getCurrentDate") in V2_OPERATIONS
    return p.get("action", "format") in ("format", "calculate")


def date_time(node: dict) -> Converted:
    p = node.get("parameters") or {}
    name = node.get("name", "")
    warnings: list[dict] = []
    options = p.get("options") or {}
    if options.get("timezone") or options.get("toTimezone") or options.get("fromTimezone"):
        warnings.append(warning(node, "option_review", "The time zone option was not imported: dates use the organization's time zone."))
    if float(node.get("typeVersion") or 1) >= 2:
        operation = p.get("operation", "getCurrentDate")
        if operation == "getCurrentDate":
            out = {"operation": "now", "output_field": p.get("outputFieldName") or "currentDate"}
            if p.get("includeTime") is False:
                out = {**out, "operation": "format", "format": "%Y-%m-%d"}
        elif operation in ("addToDate", "subtractFromDate"):
            unit = _UNITS.get(str(p.get("timeUnit") or "days"), "days")
            amount = p.get("duration", 1)
            if p.get("timeUnit") in ("quarters", "quarter") and isinstance(amount, (int, float)):
                amount *= 3
            out = {
                "operation": "add" if operation == "addToDate" else "subtract",
                "value": p.get("magnitude", ""),
                "amount": amount,
                "unit": unit,
                "output_field": p.get("outputFieldName") or "newDate",
            }
        elif operation == "formatDate":
            fmt = p.get("customFormat", "") if p.get("format", "MM/dd/yyyy") == "custom" else p.get("format", "MM/dd/yyyy")
            out = {
                "operation": "format",
                "value": p.get("date", ""),
                "format": strftime_format(str(fmt)),
                "output_field": p.get("outputFieldName") or "formattedDate",
            }
            if options.get("fromFormat"):
                warnings.append(warning(node, "option_review", "“From date format” was not imported: the date is read as ISO 8601."))
        else:  # getTimeBetweenDates
            units = p.get("units") or ["day"]
            unit = _UNITS.get(str(units[0] if isinstance(units, list) and units else units), "days")
            if isinstance(units, list) and len(units) > 1:
                warnings.append(warning(node, "option_review", f"n8n gave several units; here the time is counted in {unit} only."))
            warnings.append(warning(node, "output_review", f"n8n put {{{unit}: n}} in the field; here it is the number alone."))
            out = {
                "operation": "difference",
                "value": p.get("startDate", ""),
                "other": p.get("endDate", ""),
                "unit": unit,
                "output_field": p.get("outputFieldName") or "timeDifference",
            }
    else:
        field = p.get("dataPropertyName") or "data"
        if p.get("action", "format") == "format":
            fmt = p.get("customFormat", "") if p.get("custom") else p.get("toFormat", "")
            if p.get("fromFormat") or options.get("fromFormat"):
                warnings.append(warning(node, "option_review", "“From format” was not imported: the date is read as ISO 8601."))
            out = {"operation": "format", "value": p.get("value", ""), "format": strftime_format(str(fmt or "YYYY-MM-DD"), "moment")}
        else:
            out = {
                "operation": "subtract" if p.get("operation") == "subtract" else "add",
                "value": p.get("value", ""),
                "amount": p.get("duration", 1),
                "unit": _UNITS.get(str(p.get("timeUnit") or "days"), "days"),
            }
        out["output_field"] = field
    if isinstance(out.get("output_field"), str) and re.search(r"[{}]", out["output_field"]):
        return None
    return convert_expression(out, warnings, name, "parameters"), warnings
