"""Calendar files (iCalendar, RFC 5545): events made from items, opened by Google Calendar, Outlook, Apple Calendar
and Naver Calendar. Written from the RFC: CRLF lines folded at 75 octets, text escaped, times in UTC."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from apps.flows.engine.errors import NodeError, gettext_noop

MAX_EVENTS = 10_000


def _bad_time(value: Any) -> NodeError:
    return NodeError(
        gettext_noop("“%(value)s” is not a date or a date and time for an event (use ISO, such as 2026-12-08T15:00+09:00)."),
        code="ics_bad_time",
        values={"value": str(value)[:100]},
    )


def parse_moment(value: Any, zone: dt.tzinfo) -> dt.date | dt.datetime:
    """An ISO date (an all-day event) or date and time; a time without offset is in the organization's zone."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        text = str(value or "").strip()
        if not text:
            raise _bad_time(value)
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise _bad_time(value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _escape(text: Any) -> str:
    return str(text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> bytes:
    """Lines longer than 75 octets continue on the next line after a space, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    out, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while end > start and (data[end] & 0xC0) == 0x80:
            end -= 1
        out.append(data[start:end])
        start, limit = end, 74
    out.append(data[start:])
    return b"\r\n ".join(out) + b"\r\n"


def _stamp(moment: dt.date | dt.datetime) -> str:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.strftime("%Y%m%d")


def calendar(events: list[dict], *, name: str = "", now: dt.datetime | None = None) -> bytes:
    """events: [{"title", "start", "end" (date/datetime, optional), "location", "description", "uid"}] with start and
    end already parsed. An event without an end lasts an hour (a day when it is all-day)."""
    if len(events) > MAX_EVENTS:
        raise NodeError(
            gettext_noop("A calendar file holds at most %(limit)s events."), code="ics_too_many", values={"limit": f"{MAX_EVENTS:,}"}
        )
    stamp = _stamp(now or dt.datetime.now(dt.UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//EZFlow//Calendar file//KO", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for event in events:
        start, end = event["start"], event.get("end")
        all_day = not isinstance(start, dt.datetime)
        if end is None:
            end = start + (dt.timedelta(days=1) if all_day else dt.timedelta(hours=1))
        elif all_day and not isinstance(end, dt.datetime):
            end = end + dt.timedelta(days=1)  # DTEND of an all-day event is the day after its last day
        if isinstance(end, dt.datetime) != isinstance(start, dt.datetime):
            raise _bad_time(end)
        if end < start:
            raise NodeError(
                gettext_noop("An event ends before it starts (%(title)s)."),
                code="ics_end_before_start",
                values={"title": str(event.get("title"))[:100]},
            )
        uid = event.get("uid") or hashlib.sha256(f"{event.get('title')}|{start.isoformat()}".encode()).hexdigest()[:32]
        lines += ["BEGIN:VEVENT", f"UID:{_escape(uid)}@ezflow", f"DTSTAMP:{stamp}"]
        if all_day:
            lines += [f"DTSTART;VALUE=DATE:{_stamp(start)}", f"DTEND;VALUE=DATE:{_stamp(end)}"]
        else:
            lines += [f"DTSTART:{_stamp(start)}", f"DTEND:{_stamp(end)}"]
        lines.append(f"SUMMARY:{_escape(event.get('title') or '')}")
        if event.get("location"):
            lines.append(f"LOCATION:{_escape(event['location'])}")
        if event.get("description"):
            lines.append(f"DESCRIPTION:{_escape(event['description'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) for line in lines)
