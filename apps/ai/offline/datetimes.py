"""Dates and times written in Korean or English, absolute or relative ("다음주 화요일 오후 3시", "모레",
"이번 달 말일", "내일 오전 10시 반", "next Friday at 3 pm"), resolved against a moment in the organization's time
zone.

Conventions (docs/ai.md): weeks start on Monday; "다음주 화요일" is the Tuesday of next week, a bare weekday is the
next one from today (today included); an hour from 1 to 6 with no 오전/오후/am/pm is read as afternoon (office
hours); a time with no date is today."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_SP = r"\s*"
_KO_WEEKDAYS = "월화수목금토일"
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_RE = "|".join(sorted({m for name in _EN_MONTHS for m in (name, name[:3])} | {"sept"}, key=len, reverse=True))
_KO_NUMBERS = {"한": 1, "하루": 1, "두": 2, "이틀": 2, "세": 3, "사흘": 3, "네": 4, "나흘": 4, "다섯": 5, "일": 1, "이": 2, "삼": 3}

_DATE_KO = re.compile(
    r"(?P<ymd>(?P<y>\d{4})"
    + _SP
    + r"(?:년|[.\-/])"
    + _SP
    + r"(?P<m>\d{1,2})"
    + _SP
    + r"(?:월|[.\-/])"
    + _SP
    + r"(?P<d>\d{1,2})(?:"
    + _SP
    + r"일)?(?!\d))"
    r"|(?P<md>(?:(?P<yrel>올해|금년|내년|작년|재작년|내후년)"
    + _SP
    + r")?(?P<m2>\d{1,2})"
    + _SP
    + r"월"
    + _SP
    + r"(?P<d2>\d{1,2})"
    + _SP
    + r"일)"
    r"|(?P<mon>(?P<mrel>이번"
    + _SP
    + r"달|이달|금월|다음"
    + _SP
    + r"달|익월|지난"
    + _SP
    + r"달|저번"
    + _SP
    + r"달)"
    + _SP
    + r"(?:(?P<d3>\d{1,2})"
    + _SP
    + r"일|(?P<mpart>말일|말|초|중순|마지막"
    + _SP
    + r"날)))"
    r"|(?P<mpartof>(?:(?P<yrel2>올해|금년|내년)\s*)?(?P<m4>\d{1,2})\s*월\s*(?P<mp2>말일|말|초|중순))"
    r"|(?P<dayonly>(?:오는|이번)\s*(?P<d4>\d{1,2})\s*일)"
    r"|(?P<kdays>(?P<kdn>하루|이틀|사흘|나흘)\s*(?P<kddir>후|뒤|전|있다가))"
    r"|(?P<monthend>월말|월초|말일)"
    r"|(?P<week>(?P<wrel>이번"
    + _SP
    + r"주|금주|다다음"
    + _SP
    + r"주|다음"
    + _SP
    + r"주|차주|지난"
    + _SP
    + r"주|저번"
    + _SP
    + r"주)"
    + _SP
    + r"(?P<wd>[월화수목금토일])"
    + _SP
    + r"요일)"
    r"|(?P<bare>(?P<wd2>[월화수목금토일])요일)"
    r"|(?P<span>(?P<n>\d+|한|두|세|네|다섯|하루|이틀|사흘|나흘|일)"
    + _SP
    + r"(?P<unit>일|주일|주|개월|달)"
    + _SP
    + r"(?P<dir>후|뒤|전|있다가))"
    r"|(?P<rel>내일\s*모레|오늘|금일|내일|명일|모레|글피|어제|그저께|그제|엊그제)"
)
_DATE_EN = re.compile(
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))(?![\d:T])"
    r"|(?P<mdy>(?P<mn>" + _MONTH_RE + r")\.?\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<my>\d{4}))?)\b"
    r"|(?P<dmy>(?P<dd>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dn>" + _MONTH_RE + r")\.?(?:,?\s+(?P<dy>\d{4}))?)\b"
    r"|(?P<enday>(?:(?P<erel>next|this|last|coming)\s+)?(?P<ewd>" + "|".join(_EN_WEEKDAYS) + r"))\b"
    r"|(?P<espan>in\s+(?P<en>\d+|a|one|two|three)\s+(?P<eunit>days?|weeks?|months?))\b"
    r"|(?P<eago>(?P<an>\d+|a|one|two|three)\s+(?P<aunit>days?|weeks?)\s+ago)\b"
    r"|(?P<eend>end\s+of\s+(?:the\s+)?(?P<eendrel>this|next)?\s*month)\b"
    r"|(?P<erelday>the\s+day\s+after\s+tomorrow|today|tomorrow|yesterday|tonight)\b",
    re.IGNORECASE,
)
_TIME_KO = re.compile(
    r"(?:(?P<ampm>오전|오후|아침|낮|저녁|밤|새벽)"
    + _SP
    + r")?(?P<h>\d{1,2}|열한|열두|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)"
    + _SP
    + r"시(?!간)(?:"
    + _SP
    + r"(?P<mi>\d{1,2})"
    + _SP
    + r"분|"
    + _SP
    + r"(?P<half>반))?"
    r"|(?:(?P<ampm2>오전|오후|아침|낮|저녁|밤|새벽)" + _SP + r")?(?<!\d)(?P<hh>\d{1,2}):(?P<mm>\d{2})(?!\d)"
    r"|(?P<noon>정오|자정)"
)
_TIME_EN = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|(?<![\d:])(?P<hh>\d{1,2}):(?P<mm>\d{2})(?![\d:])"
    r"|\b(?P<noon>noon|midnight)\b",
    re.IGNORECASE,
)
_NATIVE_HOURS = {
    "한": 1,
    "두": 2,
    "세": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
    "열한": 11,
    "열두": 12,
}
_WEEKEND_KO = re.compile(r"(?P<rel>이번|금주|다음|차주|다다음|지난|저번)?" + _SP + r"주말")
_LATER = re.compile(
    r"(?P<n>\d+|한|두|세|네|다섯|여섯|열)" + _SP + r"(?P<unit>시간|분)" + _SP + r"(?P<dir>후|뒤|있다가|전)"
    r"|in\s+(?P<en>\d+|an?|one|two|three)\s+(?P<eunit>hours?|minutes?|mins?)\b",
    re.IGNORECASE,
)
_APPOSITION = re.compile(r"[\s,(]*$")
# Between a date and its time: spaces, 에/,/at/on, and nothing else.
_JOIN = re.compile(r"\s*(?:에|,|at|@|on|by)?\s*$", re.IGNORECASE)


@dataclass
class Found:
    start: int
    end: int
    date: dt.date | None = None
    time: dt.time | None = None
    weekday: bool = False  # a bare weekday ("금요일"), which only repeats a date written just before it


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _upcoming(today: dt.date, weekday: int) -> dt.date:
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _weekend(match: re.Match, today: dt.date) -> dt.date:
    relation = match.group("rel") or ""
    weeks = {"다음": 1, "차주": 1, "다다음": 2, "지난": -1, "저번": -1}.get(relation, 0)
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks, days=5)


def _later(match: re.Match, now: dt.datetime) -> dt.datetime:
    g = match.groupdict()
    if g["n"]:
        count = _NATIVE_HOURS.get(g["n"]) or int(g["n"])
        delta = dt.timedelta(hours=count) if g["unit"] == "시간" else dt.timedelta(minutes=count)
        return now - delta if g["dir"] == "전" else now + delta
    count = 1 if g["en"].lower() in ("a", "an") else _english_count(g["en"])
    return now + (dt.timedelta(hours=count) if g["eunit"].lower().startswith("h") else dt.timedelta(minutes=count))


def _korean_count(value: str) -> int:
    return int(value) if value.isdigit() else _KO_NUMBERS.get(value, 1)


def _korean_date(match: re.Match, today: dt.date) -> dt.date | None:
    g = match.groupdict()
    if g["ymd"]:
        return _safe_date(int(g["y"]), int(g["m"]), int(g["d"]))
    if g["md"]:
        shift = {"내년": 1, "작년": -1, "재작년": -2, "내후년": 2}.get(g["yrel"] or "", 0)
        return _safe_date(today.year + shift, int(g["m2"]), int(g["d2"]))
    if g["mon"]:
        relation = re.sub(r"\s+", "", g["mrel"])
        first = _add_months(today.replace(day=1), {"다음달": 1, "익월": 1, "지난달": -1, "저번달": -1}.get(relation, 0))
        if g["d3"]:
            return _safe_date(first.year, first.month, int(g["d3"]))
        part = re.sub(r"\s+", "", g["mpart"])
        if part == "초":
            return first
        if part == "중순":
            return first.replace(day=15)
        return _month_end(first.year, first.month)
    if g["mpartof"]:
        year = today.year + (1 if g["yrel2"] == "내년" else 0)
        month = int(g["m4"])
        if not 1 <= month <= 12:
            return None
        part = g["mp2"]
        return dt.date(year, month, 1) if part == "초" else dt.date(year, month, 15) if part == "중순" else _month_end(year, month)
    if g["dayonly"]:
        day = int(g["d4"])
        found = _safe_date(today.year, today.month, day)
        if found is not None and found < today:  # "오는 3일" said on the 20th is next month's
            following = _add_months(today.replace(day=1), 1)
            found = _safe_date(following.year, following.month, day)
        return found
    if g["kdays"]:
        count = _KO_NUMBERS[g["kdn"]]
        return today + dt.timedelta(days=-count if g["kddir"] == "전" else count)
    if g["monthend"]:
        return today.replace(day=1) if g["monthend"] == "월초" else _month_end(today.year, today.month)
    if g["week"]:
        relation = re.sub(r"\s+", "", g["wrel"])
        weeks = {"다음주": 1, "차주": 1, "다다음주": 2, "지난주": -1, "저번주": -1}.get(relation, 0)
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks)
        return monday + dt.timedelta(days=_KO_WEEKDAYS.index(g["wd"]))
    if g["bare"]:
        return _upcoming(today, _KO_WEEKDAYS.index(g["wd2"]))
    if g["span"]:
        count = _korean_count(g["n"])
        sign = -1 if g["dir"] == "전" else 1
        if g["unit"] in ("개월", "달"):
            return _add_months(today, sign * count)
        days = count * (7 if g["unit"] in ("주", "주일") else 1)
        return today + dt.timedelta(days=sign * days)
    relation = re.sub(r"\s+", "", g["rel"])
    offsets = {
        "오늘": 0,
        "금일": 0,
        "내일": 1,
        "명일": 1,
        "모레": 2,
        "내일모레": 2,
        "글피": 3,
        "어제": -1,
        "그제": -2,
        "그저께": -2,
        "엊그제": -2,
    }
    return today + dt.timedelta(days=offsets[relation])


def _english_count(value: str) -> int:
    return {"a": 1, "one": 1, "two": 2, "three": 3}.get(value.lower()) or int(value)


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    return next(index for index, month in enumerate(_EN_MONTHS, start=1) if month.startswith(name[:3]))


def _english_year(year: str | None, month: int, day: int, today: dt.date) -> dt.date | None:
    if year:
        return _safe_date(int(year), month, day)
    found = _safe_date(today.year, month, day)
    if found and found < today - dt.timedelta(days=180):  # "January 5" said in December is next year's
        found = _safe_date(today.year + 1, month, day)
    return found


def _english_date(match: re.Match, today: dt.date) -> dt.date | None:
    g = match.groupdict()
    if g["iso"]:
        return _safe_date(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["mdy"]:
        return _english_year(g["my"], _month_number(g["mn"]), int(g["md"]), today)
    if g["dmy"]:
        return _english_year(g["dy"], _month_number(g["dn"]), int(g["dd"]), today)
    if g["enday"]:
        weekday = _EN_WEEKDAYS.index(g["ewd"].lower())
        relation = (g["erel"] or "").lower()
        if relation == "next":
            monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
            return monday + dt.timedelta(days=weekday)
        if relation == "last":
            return today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
        if relation == "this":
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=weekday)
        return _upcoming(today, weekday)
    if g["espan"]:
        count = _english_count(g["en"])
        unit = g["eunit"].lower()
        if unit.startswith("month"):
            return _add_months(today, count)
        return today + dt.timedelta(days=count * (7 if unit.startswith("week") else 1))
    if g["eago"]:
        count = _english_count(g["an"])
        return today - dt.timedelta(days=count * (7 if g["aunit"].lower().startswith("week") else 1))
    if g["eend"]:
        first = _add_months(today.replace(day=1), 1 if (g["eendrel"] or "").lower() == "next" else 0)
        return _month_end(first.year, first.month)
    word = re.sub(r"\s+", " ", g["erelday"].lower())
    return today + dt.timedelta(days={"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}.get(word, 2))


def _hour(hour: int, marker: str | None) -> int | None:
    if hour > 24:
        return None
    if marker in ("오후", "저녁", "pm") and hour < 12:
        return hour + 12
    if marker == "밤":
        return 0 if hour == 12 else hour + 12 if 6 <= hour < 12 else hour
    if marker == "낮":
        return hour + 12 if hour < 6 else hour
    if marker in ("오전", "am", "새벽", "아침"):
        return 0 if hour == 12 else hour
    if marker is None and 1 <= hour <= 6:
        return hour + 12
    return hour % 24


def _korean_time(match: re.Match) -> dt.time | None:
    g = match.groupdict()
    if g["noon"]:
        return dt.time(12, 0) if g["noon"] == "정오" else dt.time(0, 0)
    if g["h"] is not None:
        hour = _hour(_NATIVE_HOURS.get(g["h"]) or int(g["h"]), g["ampm"])
        minute = 30 if g["half"] else int(g["mi"] or 0)
    else:
        hour = _hour(int(g["hh"]), g["ampm2"] or ("24h" if int(g["hh"]) > 12 or g["hh"].startswith("0") else None))
        minute = int(g["mm"])
    return dt.time(hour, minute) if hour is not None and minute < 60 else None


def _english_time(match: re.Match) -> dt.time | None:
    g = match.groupdict()
    if g["noon"]:
        return dt.time(12, 0) if g["noon"].lower() == "noon" else dt.time(0, 0)
    if g["h"] is not None:
        marker = "pm" if g["ap"].lower().startswith("p") else "am"
        hour = int(g["h"])
        hour = _hour(hour, marker) if 1 <= hour <= 12 else None
        minute = int(g["mi"] or 0)
    else:
        hour = _hour(int(g["hh"]), "24h" if int(g["hh"]) > 12 or g["hh"].startswith("0") else None)
        minute = int(g["mm"])
    return dt.time(hour, minute) if hour is not None and minute < 60 else None


def _non_overlapping(found: list[Found]) -> list[Found]:
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def find(text: str, now: dt.datetime) -> list[dict]:
    """Every date and time in `text`: [{"text", "start", "end", "type": date|datetime|time, "value": ISO}]."""
    text = str(text or "")
    today = now.date()
    dates = []
    for pattern, resolve in ((_DATE_KO, _korean_date), (_WEEKEND_KO, _weekend), (_DATE_EN, _english_date)):
        for match in pattern.finditer(text):
            day = resolve(match, today)
            if day is not None:
                dates.append(Found(match.start(), match.end(), date=day, weekday=bool(match.groupdict().get("bare"))))
    times = []
    for pattern, resolve in ((_TIME_KO, _korean_time), (_TIME_EN, _english_time)):
        for match in pattern.finditer(text):
            moment = resolve(match)
            if moment is not None:
                times.append(Found(match.start(), match.end(), time=moment))
    for match in _LATER.finditer(text):
        moment = _later(match, now).replace(second=0, microsecond=0)
        dates.append(Found(match.start(), match.end(), date=moment.date(), time=moment.time()))
    dates = _non_overlapping(dates)
    dates = [
        d
        for i, d in enumerate(dates)
        if not (d.weekday and i and _APPOSITION.match(text[dates[i - 1].end : d.start]) and dates[i - 1].time is None)
    ]
    times = [t for t in _non_overlapping(times) if not any(d.start < t.end and t.start < d.end for d in dates)]
    merged: list[Found] = []
    used: set[int] = set()
    for date in dates:
        after = next((t for t in times if t.start >= date.end and _JOIN.match(text[date.end : t.start])), None)
        before = next((t for t in times if t.end <= date.start and _JOIN.match(text[t.end : date.start])), None)
        partner = after or before
        if partner is not None and date.time is None and id(partner) not in used:
            used.add(id(partner))
            merged.append(Found(min(date.start, partner.start), max(date.end, partner.end), date=date.date, time=partner.time))
        else:
            merged.append(date)
    merged += [Found(t.start, t.end, date=today, time=t.time) for t in times if id(t) not in used]
    results = []
    for item in sorted(merged, key=lambda f: f.start):
        if item.time is not None:
            moment = dt.datetime.combine(item.date, item.time, tzinfo=now.tzinfo)
            kind, value = "datetime", moment.isoformat()
        else:
            kind, value = "date", item.date.isoformat()
        results.append({"text": text[item.start : item.end].strip(), "start": item.start, "end": item.end, "type": kind, "value": value})
    return results
