"""RSS/Atom: the read step and the new-entry polling trigger, against a local feed server, through the engine and the
runs app's poller."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.models import PollEntry
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active, flow_update
from apps.runs.models import Run
from apps.runs.services.polling import polling_tick
from tests.connectors.conftest import run_step
from tests.connectors.fakes.feeds import FakeFeeds
from tests.flows.graphs import edge, node


@pytest.fixture
def feeds():
    with FakeFeeds() as fake:
        yield fake


def test_reading_rss_and_atom_gives_the_same_plain_fields(organization, feeds):
    feeds.publish(1)
    feeds.publish(2)
    result = run_step(organization, "rss.read_feed", url=feeds.url("/moved"))
    assert result.status == "success", result.error
    newest, oldest = result.last_items
    assert newest == {
        "title": "기사 2",
        "link": "https://news.example.com/a2",
        "id": "a2",
        "published": "2026-12-06T17:00:00+00:00",
        "summary": "기사 2 요약",
        "content_html": "<p>기사 2 요약</p>",
        "author": "기자",
        "categories": ["경제"],
        "enclosure_url": "",
        "feed_title": "예시 뉴스",
    }
    assert oldest["id"] == "a1"
    atom = run_step(organization, "rss.read_feed", url=feeds.url("/atom.xml"))
    assert atom.status == "success", atom.error
    entry = atom.last_items[0]
    assert (entry["title"], entry["link"], entry["id"], entry["author"]) == (
        "Release 2.0",
        "https://blog.example.com/2",
        "urn:post:2",
        "Kim",
    )
    assert entry["published"] == "2026-12-07T00:00:00+00:00" and entry["categories"] == ["release"]
    assert len(run_step(organization, "rss.read_feed", url=feeds.url("/rss.xml"), limit=1).last_items) == 1


def test_a_feed_with_entities_a_page_that_is_no_feed_and_a_blocked_address_are_clear_errors(organization, feeds):
    xxe = run_step(organization, "rss.read_feed", url=feeds.url("/xxe.xml"))
    assert xxe.error_code == "feed_refused" and "root:" not in str(xxe.last_items)
    assert run_step(organization, "rss.read_feed", url=feeds.url("/page.html")).error_code == "not_a_feed"
    feeds.down = True
    assert run_step(organization, "rss.read_feed", url=feeds.url("/rss.xml")).error_code == "feed_http_error"
    organization.allowed_internal_hosts = []
    organization.save()
    blocked = run_step(organization, "rss.read_feed", url=feeds.url("/rss.xml"))
    assert blocked.error_code == "request_failed" and feeds.requests[-1]["path"] == "/rss.xml"  # the last one reached was before


def feed_flow(url: str, minutes: int = 15):
    graph = {
        "nodes": [node("feed", "rss.new_item", "New entry", url=url, interval_minutes=minutes), node("n", "flow.noop", "Do")],
        "edges": [edge("feed", "n")],
    }
    flow = flow_create(user=None, name="News", graph=graph)
    flow_publish(flow=flow, user=None)
    return flow_set_active(flow=flow, active=True)


def tick(organization, at):
    result = polling_tick(now=at)
    connection.set_tenant(organization)
    return result


def runs_of(flow):
    return [[item["id"] for item in run.input_items] for run in Run.objects.filter(flow=flow).order_by("pk")]


def test_new_entries_start_one_run_and_a_crash_or_restart_neither_loses_nor_repeats_them(organization, feeds, monkeypatch):
    feeds.publish(1)
    flow = feed_flow(feeds.url("/rss.xml"))
    entry = PollEntry.objects.get(schema_name=organization.schema_name, flow_id=flow.pk)
    assert entry.interval_seconds == 15 * 60
    now = timezone.now() + dt.timedelta(seconds=1)
    assert tick(organization, now) == {"started": 0, "failed": 0}  # what was there before the flow was on starts nothing
    assert runs_of(flow) == []
    feeds.publish(2)
    feeds.publish(3)
    assert tick(organization, now + dt.timedelta(minutes=5))["started"] == 0  # not due yet: 15 minutes
    # The poller dies after creating the run but before committing: the run and the state go together.
    real_save = PollEntry.save

    def crash(self, *args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(PollEntry, "save", crash)
    with pytest.raises(RuntimeError):
        tick(organization, now + dt.timedelta(minutes=16))
    connection.set_tenant(organization)
    assert runs_of(flow) == []
    monkeypatch.setattr(PollEntry, "save", real_save)
    assert tick(organization, now + dt.timedelta(minutes=16))["started"] == 1  # after the restart: nothing lost
    assert runs_of(flow) == [["a2", "a3"]]  # oldest first
    assert tick(organization, now + dt.timedelta(minutes=32))["started"] == 0  # nothing repeated
    feeds.publish(4)
    # Publishing a new version with the same feed keeps what was seen.
    nodes = [node("feed", "rss.new_item", "New entry", url=feeds.url("/rss.xml"), interval_minutes=10), node("n", "flow.noop", "Do")]
    flow_update(flow=flow, graph={"nodes": nodes, "edges": [edge("feed", "n")]})
    flow_publish(flow=flow, user=None)
    assert PollEntry.objects.get(flow_id=flow.pk).interval_seconds == 600
    assert tick(organization, now + dt.timedelta(minutes=48))["started"] == 1
    assert runs_of(flow) == [["a2", "a3"], ["a4"]]


def test_a_failing_feed_backs_off_and_keeps_its_state(organization, feeds):
    feeds.publish(1)
    flow = feed_flow(feeds.url("/rss.xml"), minutes=5)
    now = timezone.now() + dt.timedelta(seconds=1)
    tick(organization, now)
    feeds.down = True
    feeds.publish(2)
    assert tick(organization, now + dt.timedelta(minutes=6))["failed"] == 1
    entry = PollEntry.objects.get(flow_id=flow.pk)
    assert entry.failures == 1 and "503" in entry.last_error
    assert entry.next_poll_at == now + dt.timedelta(minutes=6) + dt.timedelta(minutes=10)  # twice the interval
    assert tick(organization, now + dt.timedelta(minutes=12))["failed"] == 0  # still waiting
    feeds.down = False
    assert tick(organization, now + dt.timedelta(minutes=17))["started"] == 1
    assert runs_of(flow) == [["a2"]] and PollEntry.objects.get(flow_id=flow.pk).failures == 0
    flow_set_active(flow=flow, active=False)
    assert not PollEntry.objects.filter(flow_id=flow.pk).exists()
