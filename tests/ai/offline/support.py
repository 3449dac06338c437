"""Running offline AI steps through the real engine, at a fixed moment in an organization's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from apps.flows.engine.context import LocalHost
from tests.ai.support import node, run_step

SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday morning in Seoul.
NOW = dt.datetime(2026, 3, 4, 9, 30, tzinfo=SEOUL)


def run(type_: str, items: list[dict], *, now: dt.datetime = NOW, time_zone: str = "Asia/Seoul", **parameters):
    host = LocalHost(now=now, time_zone=time_zone)
    result, _ = run_step(node("step", type_, "Step", **parameters), items, host=host)
    return result


def outputs(type_: str, items: list[dict], **parameters) -> list[dict]:
    result = run(type_, items, **parameters)
    assert result.status == "success", result.error
    return result.last_items
