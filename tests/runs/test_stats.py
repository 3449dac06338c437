import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from apps.flows.services.flows import flow_create
from apps.runs.models import Run
from apps.runs.selectors import run_stats
from tests.flows.graphs import greeting_graph


@pytest.fixture
def flow(data):
    organization = data.create_organization(slug="stats-co")
    connection.set_tenant(organization)
    return flow_create(user=None, name="Stats", graph=greeting_graph())


def make(flow, status, *, minutes_ago, duration_ms, error=""):
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    run = Run.objects.create(flow=flow, graph={}, status=status, error=error, error_node_id="bad" if error else "")
    Run.objects.filter(pk=run.pk).update(
        created_at=created,
        started_at=created,
        finished_at=created + dt.timedelta(milliseconds=duration_ms) if duration_ms is not None else None,
    )
    return run


def test_counts_success_rate_percentiles_and_top_errors(flow):
    for i in range(8):
        make(flow, "success", minutes_ago=30 + i, duration_ms=100 * (i + 1))
    make(flow, "failed", minutes_ago=10, duration_ms=50, error="Timeout talking to the server")
    make(flow, "failed", minutes_ago=5, duration_ms=50, error="Timeout talking to the server")
    make(flow, "running", minutes_ago=1, duration_ms=None)
    make(flow, "success", minutes_ago=60 * 30, duration_ms=10)  # older than 24 h

    stats = run_stats(period="24h", time_zone="Asia/Seoul")
    assert stats["total"] == 11 and stats["success"] == 8 and stats["failed"] == 2
    assert stats["success_rate"] == 0.8
    # p50 of 50,50,100..800 (10 finished runs) is 350 ms; p95 lies between 700 and 800.
    assert stats["p50_ms"] == 350 and 700 < stats["p95_ms"] <= 800
    assert stats["top_errors"][0]["count"] == 2 and stats["top_errors"][0]["message"].startswith("Timeout")
    assert len(stats["buckets"]) in (24, 25)
    assert sum(b["success"] + b["failed"] + b["other"] for b in stats["buckets"]) == 11
    assert stats["flows"][0]["name"] == "Stats" and stats["flows"][0]["failed"] == 2

    week = run_stats(period="7d", time_zone="Asia/Seoul")
    assert week["total"] == 12 and len(week["buckets"]) in (7, 8)
    assert all(b["start"].endswith("+09:00") for b in week["buckets"])  # days start at midnight in Seoul


def test_flow_filter_and_empty_period(flow, data):
    other = flow_create(user=None, name="Other", graph=greeting_graph())
    make(other, "failed", minutes_ago=5, duration_ms=10, error="boom")
    stats = run_stats(flow_id=flow.pk, period="24h")
    assert stats["total"] == 0 and stats["success_rate"] is None and stats["p50_ms"] is None and stats["top_errors"] == []
    assert "flows" not in stats


def test_counted_runs_of_a_flow_without_history_join_the_stored_ones(flow):
    """A flow with history off stores only failures; its successes are counted per hour (RunTally)."""
    from apps.runs.services.tally import tally_flush, tally_success

    make(flow, "failed", minutes_ago=10, duration_ms=50, error="Timeout talking to the server")
    for _ in range(3):
        tally_success(schema=connection.schema_name, flow_id=flow.pk, finished_at=timezone.now(), duration_ms=4)
    tally_success(schema=connection.schema_name, flow_id=flow.pk, finished_at=timezone.now() - dt.timedelta(days=3), duration_ms=4)
    assert tally_flush() == 4
    day = run_stats(period="24h", time_zone="Asia/Seoul")
    assert (day["total"], day["success"], day["failed"], day["success_rate"]) == (4, 3, 1, 0.75)
    assert sum(bucket["success"] for bucket in day["buckets"]) == 3
    assert day["flows"][0]["total"] == 4
    week = run_stats(period="7d", time_zone="Asia/Seoul")
    assert (week["total"], week["success"]) == (5, 4)
    assert tally_flush() == 0  # nothing counted twice


def test_counts_of_a_deleted_flow_or_organization_are_dropped_not_retried_forever(flow):
    from apps.runs.models import RunTally
    from apps.runs.services import tally

    tally.tally_success(schema=connection.schema_name, flow_id=flow.pk + 999, finished_at=timezone.now(), duration_ms=1)
    tally.tally_success(schema="org_that_is_gone", flow_id=1, finished_at=timezone.now(), duration_ms=1)
    tally.tally_flush()
    assert tally._pending == {} and not RunTally.objects.exists()
