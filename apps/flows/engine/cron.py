"""Schedules: friendly presets and cron expressions, evaluated in a time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from croniter import croniter

PRESETS = {
    "every_minute": "* * * * *",
    "hourly": "0 * * * *",
    "daily_9": "0 9 * * *",
    "weekdays_9": "0 9 * * 1-5",
    "weekly_monday_9": "0 9 * * 1",
    "monthly_1st_9": "0 9 1 * *",
}


def cron_for(parameters: dict) -> str:
    preset = parameters.get("preset") or "custom"
    return PRESETS.get(preset) or str(parameters.get("cron") or "").strip()


def cron_problem(expression: str) -> str | None:
    if not expression:
        return "empty"
    if len(expression.split()) != 5:
        return "fields"
    if not croniter.is_valid(expression):
        return "invalid"
    return None


def next_fire(expression: str, time_zone: str, after: dt.datetime) -> dt.datetime:
    """The first time strictly after `after` that matches, computed in local time (so 9:00 stays 9:00 across DST)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = after.astimezone(zone)
    return croniter(expression, local).get_next(dt.datetime).astimezone(dt.UTC)
