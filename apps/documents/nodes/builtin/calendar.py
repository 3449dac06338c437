"""Calendar file step: the items as events of one .ics file (Google, Outlook, Apple and Naver calendars open it)."""

from __future__ import annotations

from apps.documents import calendar_file
from apps.documents.nodes.common import derived_name, save_file
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.registry import register


@register
class CalendarFile(NodeType):
    key = "documents.ics_file"
    category = "documents"
    icon = "calendar"
    label = t("Make a calendar file (.ics)", "캘린더 파일(.ics) 만들기")
    description = t(
        "Makes one iCalendar file with an event per item, to attach to an email or offer for download: "
        "every calendar app can add its events.",
        "항목마다 일정 하나씩 담은 iCalendar 파일 하나를 만듭니다. "
        "메일에 첨부하거나 내려받게 하면 어느 캘린더 앱에서나 일정을 추가할 수 있습니다.",
    )
    aliases = ("ics", "ical", "icalendar", "calendar file", "일정 파일", "캘린더 파일", "아이캘")
    params = (
        Param("title", "string", t("Event title", "일정 제목"), required=True, default="{{ json.title }}"),
        Param(
            "start",
            "string",
            t("Start", "시작"),
            required=True,
            default="{{ json.start }}",
            help=t(
                "An ISO date (all-day event) or date and time; a time without offset is in the organization's time zone.",
                "ISO 날짜(종일 일정) 또는 날짜와 시각입니다. 오프셋이 없는 시각은 조직의 시간대로 봅니다.",
            ),
        ),
        Param(
            "end",
            "string",
            t("End (empty: an hour later, or the same day)", "끝 (비우면 한 시간 뒤, 종일이면 그날)"),
            default="",
        ),
        Param("location", "string", t("Place", "장소"), default=""),
        Param("description", "text", t("Description", "설명"), default=""),
        Param("calendar_name", "string", t("Calendar name", "캘린더 이름"), default=""),
        Param("file_name", "string", t("File name", "파일 이름"), default="events.ics"),
        Param("output_field", "string", t("Put the file in field", "파일을 넣을 필드"), default="file", expressions=False),
    )

    def execute(self, ctx):
        now = ctx.host.now()
        zone = now.tzinfo
        events, first = [], None
        for _index, _item, params in ctx.each():
            first = first or params
            start = calendar_file.parse_moment(params["start"], zone)
            end_text = str(params["end"] or "").strip()
            events.append(
                {
                    "title": params["title"],
                    "start": start,
                    "end": calendar_file.parse_moment(end_text, zone) if end_text else None,
                    "location": params["location"],
                    "description": params["description"],
                }
            )
        if first is None:
            return {"main": []}
        data = calendar_file.calendar(events, name=str(first["calendar_name"] or ""), now=now)
        name = derived_name(None, "ics", given=first["file_name"] or "events.ics")
        ref = save_file(ctx, data, name=name, mime_type="text/calendar")
        return {"main": [{first["output_field"] or "file": ref, "events": len(events)}]}
