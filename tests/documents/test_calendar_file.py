"""The calendar file step: items in, one .ics file out that follows RFC 5545 (folded CRLF lines, escaped text,
UTC times, all-day events as dates)."""

from __future__ import annotations

import datetime as dt

from apps.documents import calendar_file
from apps.flows.engine.context import LocalHost
from tests.documents.test_steps import flow


def unfolded(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # every line ends with CRLF
    return text.replace("\r\n ", "").split("\r\n")


def test_items_become_events_of_one_calendar_file():
    host = LocalHost(now=dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    items = [
        {"title": "주간 회의; 3층, 회의실", "start": "2026-12-15T15:00", "end": "", "place": "본사", "note": "안건:\n1. 예산"},
        {"title": "보고서 마감", "start": "2026-12-19", "end": ""},
        {"title": "Call", "start": "2026-12-16T01:00:00Z", "end": "2026-12-16T01:30:00Z"},
    ]
    result, out = flow(
        host,
        items,
        (
            "documents.ics_file",
            {
                "end": "{{ json.end }}",
                "location": "{{ json.place }}",
                "description": "{{ json.note }}",
                "file_name": "일정",
                "calendar_name": "팀",
            },
        ),
    )
    assert result.status == "success", result.error
    (made,) = out
    assert made["events"] == 3 and made["file"]["name"] == "일정.ics" and made["file"]["mime_type"] == "text/calendar"
    lines = unfolded(host.files.read(made["file"]))
    assert lines[:5] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//EZFlow//Calendar file//KO", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    assert "X-WR-CALNAME:팀" in lines and lines[-2:] == ["END:VCALENDAR", ""]
    assert lines.count("BEGIN:VEVENT") == 3
    assert "DTSTART:20261215T060000Z" in lines and "DTEND:20261215T070000Z" in lines  # Seoul 15:00, an hour by default
    assert "SUMMARY:주간 회의\\; 3층\\, 회의실" in lines and "LOCATION:본사" in lines and "DESCRIPTION:안건:\\n1. 예산" in lines
    assert "DTSTART;VALUE=DATE:20261219" in lines and "DTEND;VALUE=DATE:20261220" in lines
    assert "DTSTART:20261216T010000Z" in lines and "DTEND:20261216T013000Z" in lines, [x for x in lines if x.startswith("DT")][-3:]
    assert "DTSTAMP:20261208T000000Z" in lines


def test_long_korean_lines_are_folded_between_characters():
    data = calendar_file.calendar([{"title": "가" * 60, "start": dt.date(2026, 1, 2)}])
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no character cut in two
    assert "SUMMARY:" + "가" * 60 in unfolded(data)


def test_a_start_that_is_not_a_date_is_a_clear_error():
    host = LocalHost()
    result, _out = flow(host, [{"title": "회의", "start": "다음주 화요일"}], ("documents.ics_file", {}))
    assert result.status == "failed" and result.error_code == "ics_bad_time" and "다음주 화요일" in result.error
    result, _out = flow(
        host, [{"title": "회의", "start": "2026-12-15T15:00", "end": "2026-12-15T14:00"}], ("documents.ics_file", {"end": "{{ json.end }}"})
    )
    assert result.status == "failed" and result.error_code == "ics_end_before_start"
