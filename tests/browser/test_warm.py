"""A warm browser per worker process (apps/browser/runner.py `POOL`): the same Chromium serves the next session with
a fresh context, so nothing of one run (cookies, local and session storage, the organization's allowed hosts) is seen
by the next; a browser that crashed or grew is replaced; and Chromium never runs as root."""

from __future__ import annotations

import os
import signal
import time

import pytest

from apps.browser import runner
from tests.browser.helpers import LOG_IN, browse


@pytest.fixture
def warm(monkeypatch):
    monkeypatch.setattr(runner, "IN_WORKER", True)
    runner.POOL.close_all()
    yield runner.POOL
    runner.POOL.close_all()


def _read_storage(site, *, allow=("127.0.0.1",)):
    return browse(
        "browser.sequence",
        allow=allow,
        url=site.url("/storage"),
        actions=[{"action": "extract_text", "find_by": "css", "target": "#seen", "name": "seen"}],
    )


def _chromium_pids(browser) -> list[int]:
    pids = []
    for pid, _rss in browser.processes.members():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"chromium" in cmdline.read().split(b"\0")[0]:
                    pids.append(pid)
        except OSError:
            continue
    return pids


def _uids(pid: int) -> set[str]:
    with open(f"/proc/{pid}/status") as status:
        return set(next(line for line in status if line.startswith("Uid:")).split()[1:])


def test_the_next_session_reuses_the_browser_but_sees_no_cookie_or_storage_of_the_last(fresh_site, warm):
    result, _ = browse(
        "browser.sequence", url=fresh_site.url("/login"), credential="9", actions=[*LOG_IN, {"action": "wait", "target": "Welcome"}]
    )
    assert result.status == "success", (result.error, result.error_detail)
    result, _ = _read_storage(fresh_site)  # same origin: this run sees the login cookie, then leaves storage behind
    assert result.status == "success", (result.error, result.error_detail)
    assert result.last_items[0]["seen"] == "local=none session=none cookie=none"
    [browser] = warm.idle()
    chromium = set(_chromium_pids(browser))
    assert browser.sessions == 2 and chromium

    result, _ = _read_storage(fresh_site)
    assert result.last_items[0]["seen"] == "local=none session=none cookie=none"
    result, _ = browse("browser.open", url=fresh_site.url("/reports"))  # the login cookie of the first run is gone
    assert result.status == "success" and result.last_items[0]["url"].endswith("/login")
    [again] = warm.idle()
    assert again is browser and again.sessions == 4 and set(_chromium_pids(again)) & chromium  # the same Chromium


def test_an_organization_without_the_allowance_is_refused_by_the_browser_another_one_was_allowed(fresh_site, warm):
    result, _ = _read_storage(fresh_site, allow=("127.0.0.1",))
    assert result.status == "success"
    fresh_site.requests.clear()
    result, _ = _read_storage(fresh_site, allow=())
    assert result.status == "failed" and result.error_code == "browser_address_blocked"
    assert fresh_site.requests == []
    assert [b.sessions for b in warm.idle()] == [2]


@pytest.mark.skipif(os.geteuid() != 0, reason="the drop to nobody happens when the worker runs as root")
def test_chromium_does_not_run_as_root_when_the_worker_does(fresh_site, warm):
    result, _ = _read_storage(fresh_site)
    assert result.status == "success", (result.error, result.error_detail)
    [browser] = warm.idle()
    pids = _chromium_pids(browser)
    assert pids
    for pid in pids:
        assert "0" not in _uids(pid), pid
        assert _uids(pid) == {"65534"}


def test_a_crashed_browser_is_started_again_and_a_grown_one_replaced(fresh_site, warm, settings):
    assert _read_storage(fresh_site)[0].status == "success"
    [browser] = warm.idle()
    for pid in _chromium_pids(browser):  # Chromium dies under the warm child
        os.kill(pid, signal.SIGKILL)
    result, _ = _read_storage(fresh_site)
    assert result.status == "success", (result.error, result.error_detail)
    os.kill(browser.process.pid, signal.SIGKILL)  # the whole child dies (between two sessions)
    browser.process.wait(timeout=10)
    result, _ = _read_storage(fresh_site)
    assert result.status == "success", (result.error, result.error_detail)
    [replacement] = warm.idle()
    assert replacement is not browser and replacement.sessions == 1

    settings.EZFLOW_BROWSER_RECYCLE_MEMORY_MB = 1  # every browser holds more than this after a session
    assert _read_storage(fresh_site)[0].status == "success"
    assert warm.idle() == [] and replacement.processes.members() == []


def test_outside_a_worker_every_session_gets_its_own_browser(fresh_site):
    assert runner.IN_WORKER is False
    assert _read_storage(fresh_site)[0].status == "success"
    assert runner.POOL.idle() == []


class _IdleBrowser:
    """What the pool reads of a warm browser, without starting Chromium."""

    sessions = 1
    memory_kb = 1024
    alive = True

    def __init__(self):
        self.owner = os.getpid()
        self.closed = False

    def close(self):
        self.closed = True


def test_a_warm_browser_left_unused_is_closed_after_the_idle_time(settings):
    settings.EZFLOW_BROWSER_IDLE_SECONDS = 0.3
    settings.EZFLOW_BROWSER_MAX_PER_WORKER = 2
    pool = runner.BrowserPool()
    browser = _IdleBrowser()
    pool.give_back(browser)
    assert pool.idle() == [browser] and pool.close_idle(60) == 0  # just given back: kept
    deadline = time.monotonic() + 10
    while not browser.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert browser.closed and pool.idle() == []
    # The reaper ended with nothing left to watch; the next browser given back gets a new one.
    again = _IdleBrowser()
    pool.give_back(again)
    deadline = time.monotonic() + 10
    while not again.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert again.closed


def test_a_warm_browser_taken_again_before_the_idle_time_is_not_closed(settings):
    settings.EZFLOW_BROWSER_IDLE_SECONDS = 0.5
    pool = runner.BrowserPool()
    browser = _IdleBrowser()
    browser.processes = type("Processes", (), {"members": lambda self: [1]})()
    pool.give_back(browser)
    assert pool.take() is browser
    time.sleep(1.0)
    assert not browser.closed
