"""How a browser step is kept apart on the worker: every address through the SSRF guard (request interception and
the guarded proxy), a wall time and a memory limit on the whole process group, a limited number of browsers per
worker process, a fresh temporary profile deleted afterwards, and a clear message when no browser is installed."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.utils import translation

from apps.browser import runner
from apps.flows.error_text import engine_error_text
from tests.browser.helpers import browse


def korean(result) -> str:
    with translation.override("ko"):
        return engine_error_text(result.error, result.error_args)


def test_without_the_organizations_allowance_a_local_page_is_not_opened(fresh_site):
    result, _ = browse("browser.sequence", allow=(), url=fresh_site.url("/login"), actions=[{"action": "wait", "target": "Log in"}])
    assert result.status == "failed" and result.error_code == "browser_address_blocked"
    assert "points to an internal address (127.0.0.1)" in result.error and "unless an organization admin allows the host" in result.error
    assert "조직 관리자" in korean(result)
    assert fresh_site.requests == []


def test_loopback_stays_refused_under_the_production_policy_even_when_allowed(fresh_site, settings):
    settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = False
    result, _ = browse("browser.open", allow=("127.0.0.1",), url=fresh_site.url("/login"))
    assert result.status == "failed" and result.error_code == "browser_address_blocked"
    assert "an internal address flows may never call" in result.error
    assert fresh_site.requests == []


def test_a_page_cannot_make_the_browser_fetch_an_address_that_was_not_allowed(fresh_site):
    """The portal is allowed (127.0.0.1); its page loads an image and fetches from 127.0.0.2, which is not."""
    result, _ = browse("browser.open", url=fresh_site.url("/reach-inside"))
    assert result.status == "success", result.error
    assert result.last_items[0]["text"] == "hello"
    assert sorted(result.last_items[0]["blocked_requests"]) == sorted(
        [fresh_site.outside.url("/pixel.png"), fresh_site.outside.url("/secret")]
    )
    assert fresh_site.outside.requests == []


def test_a_redirect_to_an_address_that_was_not_allowed_is_stopped_by_the_proxy(fresh_site):
    """Request interception does not see a redirect's next hop; the proxy every connection goes through does."""
    result, _ = browse("browser.open", url=fresh_site.url("/redirect-inside"))
    assert result.status == "failed" and result.error_code == "browser_address_blocked", (result.error, result.error_detail)
    assert "127.0.0.2" in result.error
    assert fresh_site.requests == ["/redirect-inside"] and fresh_site.outside.requests == []


@pytest.fixture
def own_tmp(monkeypatch):
    # Short: Chromium's profile lock is a Unix socket in it, and a socket path has at most 107 bytes.
    path = Path(tempfile.mkdtemp(prefix="ezb-", dir="/tmp"))
    path.chmod(0o711)  # like /tmp: Chromium runs as nobody when the tests run as root and must reach its folder in it
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _processes_using(path: Path) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if str(path).encode() in Path(f"/proc/{entry.name}/cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_slow_page_is_stopped_at_the_steps_time_limit_and_nothing_is_left_behind(fresh_site, own_tmp):
    fresh_site.slow_seconds = 10
    result, _ = browse("browser.open", url=fresh_site.url("/slow"), settings={"timeout_seconds": 4})
    assert result.status == "failed" and result.error_code == "browser_timeout"
    assert result.error == "The browser took longer than 4 seconds and was stopped."
    assert list(own_tmp.iterdir()) == []  # the profile, downloads and kept files went with it
    assert _processes_using(own_tmp) == []


def test_a_fresh_profile_per_session_deleted_afterwards(fresh_site, own_tmp):
    result, _ = browse("browser.open", url=fresh_site.url("/login"))
    assert result.status == "success", (result.error, result.error_detail)
    assert list(own_tmp.iterdir()) == [] and _processes_using(own_tmp) == []


def test_a_browser_over_its_memory_limit_is_stopped(fresh_site, settings):
    settings.EZFLOW_BROWSER_MEMORY_MB = 30
    result, _ = browse("browser.open", url=fresh_site.url("/big"))
    assert result.status == "failed" and result.error_code == "browser_memory_limit"
    assert result.error == "The browser needed more than 30 MB of memory and was stopped."


def test_a_step_waits_for_a_free_browser_and_says_so_when_none_frees_up(fresh_site, settings):
    settings.EZFLOW_BROWSER_MAX_PER_WORKER = 1
    pool = runner._slot_pool()
    assert pool.acquire(timeout=5)
    try:
        result, _ = browse("browser.open", url=fresh_site.url("/login"), settings={"timeout_seconds": 2})
    finally:
        pool.release()
    assert result.status == "failed" and result.error_code == "browser_busy"
    assert fresh_site.requests == []
    again, _ = browse("browser.open", url=fresh_site.url("/login"))
    assert again.status == "success", again.error


def test_without_a_browser_the_step_says_what_to_install(fresh_site, settings):
    settings.EZFLOW_BROWSER_EXECUTABLE = "/opt/nowhere/chromium"
    result, _ = browse("browser.open", url=fresh_site.url("/login"))
    assert result.status == "failed" and result.error_code == "browser_missing"
    assert "apt-get install chromium" in result.error and "EZFLOW_BROWSER_EXECUTABLE" in result.error
    assert "설치" in korean(result)
