"""Time expressions in Korean and English → a cron expression (minute hour day month weekday)."""

from __future__ import annotations

import re
from dataclasses import dataclass

KO_DAYS = {"일": 0, "월": 1, "화": 2, "수": 3, "목": 4, "금": 5, "토": 6}
EN_DAYS = {"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}


@dataclass(frozen=True)
class When:
    cron: str
    start: int  # where the expression starts in the sentence, to keep steps in sentence order


ORDINALS = {
    w: f"{n}{'st' if n in (1, 21, 31) else 'nd' if n in (2, 22) else 'rd' if n in (3, 23) else 'th'}"
    for n, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)
}
ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\s+(?=(?:day\s+)?of\s+(?:every|each|the)\s+month)")


def _hour_minute(text: str) -> tuple[int, int] | None:
    """The time of day named in `text` (24-hour), or None."""
    ko = re.search(r"(오전|오후|아침|저녁|밤|새벽|낮)?\s*(\d{1,2})\s*시(?:\s*(반|(\d{1,2})\s*분))?", text)
    if ko:
        hour = int(ko[2])
        minute = 30 if ko[3] == "반" else int(ko[4] or 0)
        if ko[1] in ("오후", "저녁", "밤") and hour < 12:
            hour += 12
        return (hour % 24, minute) if hour <= 24 and minute < 60 else None
    en = re.search(r"\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?=\W|$)", text, re.I)
    anchored = en and (en[0].lower().startswith("at") or en[2] or en[3])
    if anchored:
        hour, minute = int(en[1]), int(en[2] or 0)
        suffix = (en[3] or "").lower().replace(".", "")
        if suffix == "pm" and hour < 12:
            hour += 12
        if suffix == "am" and hour == 12:
            hour = 0
        if " evening" in text.lower() and hour < 12:
            hour += 12
        return (hour, minute) if hour < 24 and minute < 60 else None
    return None


def parse_schedule(sentence: str) -> When | None:
    text = sentence.lower()
    every_hours = re.search(r"(\d{1,2})\s*시간\s*마다|every\s+(\d{1,2})\s+hours?", text)
    if every_hours:
        hours = int(every_hours[1] or every_hours[2])
        if 1 <= hours <= 23:
            return When(f"0 */{hours} * * *", every_hours.start())
    every_minutes = re.search(r"(\d{1,2})\s*분\s*마다|every\s+(\d{1,2})\s+minutes?", text)
    if every_minutes:
        minutes = int(every_minutes[1] or every_minutes[2])
        if 1 <= minutes <= 59:
            return When(f"*/{minutes} * * * *", every_minutes.start())
    hourly = re.search(r"매\s*시간|매시\s*정각|every\s+hour|hourly", text)
    if hourly:
        return When("0 * * * *", hourly.start())

    day_of_month = weekday = None
    start = None
    text = ORDINAL.sub(lambda m: ORDINALS[m[1]].ljust(len(m[1])) + " ", text)  # same length: positions stay
    monthly = re.search(
        r"매\s*월\s*(\d{1,2})\s*일|매달\s*(\d{1,2})\s*일|"
        r"(?:on\s+the\s+)?(\d{1,2})(?:st|nd|rd|th)\s+(?:day\s+)?of\s+(?:every|each|the)\s+month",
        text,
    )
    monthly_en = re.search(r"(?:every|each)\s+month\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?|monthly", text)
    if monthly:
        day_of_month, start = int(monthly[1] or monthly[2] or monthly[3]), monthly.start()
    elif monthly_en:
        day_of_month, start = int(monthly_en[1] or 1), monthly_en.start()
    weekly_ko = re.search(r"(?:매주\s*)?([월화수목금토일])요일", text)
    weekly_en = re.search(r"(?:every|each|on)\s+(" + "|".join(EN_DAYS) + r")s?|(" + "|".join(EN_DAYS) + r")s\b", text)
    weekdays = re.search(r"평일|주중|weekdays?|every\s+weekday|monday\s+to\s+friday", text)
    weekend = re.search(r"주말|weekends?", text)
    if weekdays:
        weekday, start = "1-5", weekdays.start()
    elif weekend:
        weekday, start = "0,6", weekend.start()
    elif weekly_ko:
        weekday, start = str(KO_DAYS[weekly_ko[1]]), weekly_ko.start()
    elif weekly_en:
        weekday, start = str(EN_DAYS[weekly_en[1] or weekly_en[2]]), weekly_en.start()
    daily = re.search(r"매일|날마다|매일\s*아침|every\s+(?:day|morning|evening|night)|daily|each\s+day", text)
    if daily and start is None:
        start = daily.start()
    time_of_day = _hour_minute(text)
    if start is None and time_of_day is None:
        morning = re.search(r"아침마다|every\s+morning", text)
        if not morning:
            return None
        start = morning.start()
    if start is None:
        # A time alone ("9시에", "at 9am") means every day at that time.
        found = re.search(r"\d", text)
        start = found.start() if found else 0
    hour, minute = time_of_day or (18 if re.search(r"저녁|evening", text) else 9, 0)
    return When(f"{minute} {hour} {day_of_month or '*'} * {weekday or '*'}", start)
