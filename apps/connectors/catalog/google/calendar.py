"""Google Calendar: create an event and find the events of a time range (Calendar API v3 events.insert and
events.list with singleEvents=true, orderBy=startTime). Times a person types without an offset are in the
organization's time zone, which is also sent as the event's timeZone. https://developers.google.com/calendar/api/v3/reference/events"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from apps.connectors import n8n
from apps.connectors.catalog.google.common import GoogleOAuth2, google_error
from apps.connectors.http import Credential, Service, call
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

_KOREAN_DATE = re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})\.?")
CALENDAR = Service("google_calendar", "Google Calendar", "https://www.googleapis.com", google_error)


@register_credential_kind
class GoogleCalendarAccount(GoogleOAuth2):
    icon = "google_calendar"
    key = "google_calendar"
    label = t("Google Calendar (sign in with Google)", "Google 캘린더(Google 로그인)")
    scopes = ("https://www.googleapis.com/auth/calendar.events",)

    @property
    def test_url(self) -> str:
        return CALENDAR.url("/calendar/v3/calendars/primary/events?maxResults=1")


CREDENTIAL = Param(
    "credential", "credential", t("Google account", "Google 계정"), required=True, credential_type="google_calendar", expressions=False
)
CALENDAR_ID = Param(
    "calendar_id",
    "string",
    t("Calendar", "캘린더"),
    default="primary",
    help=t(
        "primary is the account's own calendar; for another, Google Calendar → the calendar's settings → Calendar ID.",
        "primary는 계정의 기본 캘린더입니다. 다른 캘린더는 Google 캘린더 → 캘린더 설정 → 캘린더 ID에서 확인합니다.",
    ),
)


def _zone(ctx):
    return ctx.host.now().tzinfo or dt.UTC


def _zone_name(ctx) -> str:
    return str(getattr(_zone(ctx), "key", "") or "UTC")


def parse_time(value, ctx, *, field: str) -> dt.datetime:
    """A time as typed ("2026-12-08 10:00", ISO 8601 with or without an offset, a date alone), in the organization's zone."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = value.isoformat() if isinstance(value, dt.date) else str(value or "").strip()
        text = _KOREAN_DATE.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)  # 2026.12.8 or 2026/12/8
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise NodeError(
                gettext_noop("“%(value)s” in %(field)s is not a date and time (write it like 2026-12-08 14:30)."),
                code="bad_time",
                values={"value": str(value)[:100], "field": field},
            ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_zone(ctx))


def _calendar_path(params: dict) -> str:
    return f"/calendar/v3/calendars/{quote(str(params.get('calendar_id') or 'primary').strip(), safe='@.')}/events"


def event_item(event: dict) -> dict:
    start, end = event.get("start") or {}, event.get("end") or {}
    return {
        "id": event.get("id"),
        "title": event.get("summary", ""),
        "start": start.get("dateTime") or start.get("date", ""),
        "end": end.get("dateTime") or end.get("date", ""),
        "all_day": "date" in start and "dateTime" not in start,
        "location": event.get("location", ""),
        "description": event.get("description", ""),
        "attendees": [a.get("email") for a in event.get("attendees") or [] if a.get("email")],
        "link": event.get("htmlLink", ""),
        "status": event.get("status", ""),
    }


@register
class CreateEvent(NodeType):
    key = "google_calendar.create_event"
    n8n = (N8nMapping(("n8n-nodes-base.googleCalendar",), n8n.calendar_create, when=n8n.operation_in("create", resource="event")),)
    category = "action"
    icon = "google_calendar"
    side_effects = True
    label = t("Create Google Calendar event", "Google 캘린더 일정 만들기")
    description = t(
        "Adds an event, one per incoming item; times without an offset are in the organization's time zone.",
        "들어오는 항목마다 일정을 추가합니다. 시간대가 없는 시간은 조직의 시간대로 봅니다.",
    )
    params = (
        CREDENTIAL,
        CALENDAR_ID,
        Param("title", "string", t("Title", "제목"), required=True),
        Param("start", "string", t("Starts", "시작"), required=True, help=t("For example 2026-12-08 14:30", "예: 2026-12-08 14:30")),
        Param("end", "string", t("Ends (optional)", "종료(선택)"), default=""),
        Param("duration_minutes", "integer", t("Length in minutes when no end is given", "종료가 없을 때 길이(분)"), default=60, minimum=1),
        Param("all_day", "boolean", t("All day", "종일"), default=False),
        Param("location", "string", t("Place", "장소"), default=""),
        Param("description", "text", t("Description", "설명"), default=""),
        Param("attendees", "string", t("Guests (e-mail addresses, separated by commas)", "참석자(이메일, 쉼표로 구분)"), default=""),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "google_calendar")
            body = self._event(ctx, params)
            answer = call(ctx, CALENDAR, "POST", _calendar_path(params), credential=credential, json_body=body)
            out.append(event_item(answer.json() or {}))
        return {"main": out}

    @staticmethod
    def _event(ctx, params: dict) -> dict:
        start = parse_time(params.get("start"), ctx, field="Starts")
        if params.get("end"):
            end = parse_time(params["end"], ctx, field="Ends")
        else:
            end = start + dt.timedelta(minutes=int(params.get("duration_minutes") or 60))
        if end <= start and not params.get("all_day"):
            raise NodeError(gettext_noop("The event must end after it starts."), code="bad_time_range")
        zone = _zone_name(ctx)
        if params.get("all_day"):
            last = max(end.date(), start.date() + dt.timedelta(days=1)) if params.get("end") else start.date() + dt.timedelta(days=1)
            times = {"start": {"date": start.date().isoformat()}, "end": {"date": last.isoformat()}}
        else:
            times = {"start": {"dateTime": start.isoformat(), "timeZone": zone}, "end": {"dateTime": end.isoformat(), "timeZone": zone}}
        body = {"summary": str(params.get("title") or ""), **times}
        for name in ("location", "description"):
            if params.get(name):
                body[name] = str(params[name])
        guests = [g.strip() for g in str(params.get("attendees") or "").split(",") if g.strip()]
        bad = [g for g in guests if "@" not in g]
        if bad:
            raise NodeError(
                gettext_noop("“%(value)s” in %(field)s is not an e-mail address (write name@example.com, separated by commas)."),
                code="bad_address",
                values={"value": bad[0][:200], "field": "Guests"},
            )
        if guests:
            body["attendees"] = [{"email": g} for g in guests]
        return body


@register
class FindEvents(NodeType):
    key = "google_calendar.find_events"
    n8n = (N8nMapping(("n8n-nodes-base.googleCalendar",), n8n.calendar_find, when=n8n.operation_in("getAll", resource="event")),)
    category = "action"
    icon = "google_calendar"
    side_effects = True
    idempotent = True
    per_item = False
    label = t("Find Google Calendar events", "Google 캘린더 일정 찾기")
    description = t(
        "One item per event between two times (by default the next 7 days), earliest first.",
        "두 시각 사이의 일정마다 항목 하나를 만듭니다(기본: 앞으로 7일, 이른 순).",
    )
    params = (
        CREDENTIAL,
        CALENDAR_ID,
        Param("from", "string", t("From (empty: now)", "시작 시각(비우면 지금)"), default=""),
        Param("to", "string", t("Until (empty: 7 days later)", "끝 시각(비우면 7일 뒤)"), default=""),
        Param("query", "string", t("Words in the event (optional)", "일정에 들어 있는 단어(선택)"), default=""),
        Param("max_results", "integer", t("At most", "최대 개수"), default=50, minimum=1, maximum=2500),
    )

    def execute(self, ctx):
        params = ctx.params()
        credential = Credential(ctx, params["credential"], "google_calendar")
        start = parse_time(params["from"], ctx, field="From") if params.get("from") else ctx.host.now()
        end = parse_time(params["to"], ctx, field="Until") if params.get("to") else start + dt.timedelta(days=7)
        if end <= start:
            raise NodeError(gettext_noop("The end of the time range must come after its start."), code="bad_time_range")
        answer = call(
            ctx,
            CALENDAR,
            "GET",
            _calendar_path(params),
            credential=credential,
            query={
                "timeMin": start.isoformat(),
                "timeMax": end.isoformat(),
                "singleEvents": "true",
                "orderBy": "startTime",
                "timeZone": _zone_name(ctx),
                "maxResults": str(int(params.get("max_results") or 50)),
                "q": str(params.get("query") or "") or None,
            },
        )
        return {"main": [event_item(e) for e in (answer.json() or {}).get("items") or []]}
