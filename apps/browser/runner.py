"""Starts a browser session in a child process and keeps it inside its limits from the outside.

One child process per session (`python -m apps.browser.child`, in its own process group, with Playwright's driver and
Chromium under it) with a fresh temporary directory for Chromium's profile and downloads, deleted afterwards. The
parent holds one of the worker process's browser slots (EZFLOW_BROWSER_MAX_PER_WORKER) while it runs, stops the whole
process group when the wall time (the step's time left, at most EZFLOW_BROWSER_MAX_SECONDS) or the memory of the
group (EZFLOW_BROWSER_MEMORY_MB, resident) runs out, and reads back the answer and the files the child kept.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import secrets
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from apps.core.network_policy import policy
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.sandbox.runner import sandbox_user

ROOT = Path(__file__).resolve().parents[2]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MEMORY_CHECK_SECONDS = 0.25
SETPRIV = "/usr/bin/setpriv"
ANSWER = b"EZFLOW-BROWSER-ANSWER "
ANSWER_BYTES = 20_000_000

_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _slot_pool() -> threading.BoundedSemaphore:
    global _slots
    size = max(int(settings.EZFLOW_BROWSER_MAX_PER_WORKER), 1)
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


def executable() -> str:
    """The browser to start, or a NodeError that says what to install."""
    path = str(settings.EZFLOW_BROWSER_EXECUTABLE or "")
    found = shutil.which(path) if path else None
    if not found:
        raise NodeError(
            gettext_noop(
                "No browser is installed on this server, so browser steps cannot run. Install Chromium (on Debian or "
                "Ubuntu: apt-get install chromium) or set EZFLOW_BROWSER_EXECUTABLE to the path of Chromium or Chrome."
            ),
            code="browser_missing",
            detail=f"EZFLOW_BROWSER_EXECUTABLE={path!r} was not found or cannot be run.",
        )
    return found


@dataclass
class Outcome:
    answer: dict
    files: dict[str, bytes] = field(default_factory=dict)  # name in the answer's "files" -> bytes
    failure_screenshot: bytes | None = None
    peak_memory_kb: int = 0


class Processes:
    """Every process of one session, wherever it went: Playwright starts Chromium in a process group and session of
    its own, and Chromium's crash handler detaches from it, so neither the child's process group nor its tree finds
    them all. Each carries the session's token in its environment (inherited from the child), which does."""

    def __init__(self, token: str):
        self.marker = f"EZFLOW_BROWSER_SESSION={token}".encode()
        self._known: dict[int, tuple[bytes, bool]] = {}  # pid -> (start time, carries the token)

    def _ours(self, pid: int, started: bytes) -> bool:
        known = self._known.get(pid)
        if known is None or known[0] != started:
            try:
                with open(f"/proc/{pid}/environ", "rb") as environ:
                    ours = self.marker in environ.read().split(b"\0")
            except OSError:
                ours = False
            known = self._known[pid] = (started, ours)
        return known[1]

    def members(self) -> list[tuple[int, int]]:
        """(pid, resident kB) of the session's living processes."""
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()  # after the name: state, ppid, pgrp, ...
            except OSError:
                continue
            if fields[0] != b"Z" and self._ours(int(entry.name), fields[19]):
                found.append((int(entry.name), int(fields[21]) * PAGE_SIZE // 1024))
        return found

    def memory_kb(self) -> int:
        return sum(rss for _pid, rss in self.members())

    def proportional_kb(self) -> int:
        """Memory the session's processes hold, shared pages counted once (PSS): what a warm browser costs."""
        total = 0
        for pid, _rss in self.members():
            with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        return total

    def kill(self, *, wait: float = 0.0) -> None:
        """SIGKILL to every process of the session; with `wait`, until they are gone (so their files can go too)."""
        deadline = time.monotonic() + wait
        while True:
            members = self.members()
            for pid, _rss in members:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if not members or time.monotonic() >= deadline:
                return
            time.sleep(0.05)


def run_session(*, actions: list[dict], login: dict | None, allow_hosts, seconds: float, action_timeout: float) -> Outcome:
    """Runs `actions` (checked by apps.browser.actions.checked) in a fresh browser context; raises NodeError for the
    limits. In a worker process the browser stays up for the next session (a warm browser, `POOL`)."""
    chromium = executable()
    wall = max(min(float(seconds), float(settings.EZFLOW_BROWSER_MAX_SECONDS)), 1.0)
    pool = _slot_pool()
    started = time.monotonic()
    if not pool.acquire(timeout=max(wall - 1.0, 0.1)):
        raise NodeError(
            gettext_noop(
                "Every browser of this worker was busy for %(seconds)s seconds. Run the flow again later, or ask the "
                "administrator to allow more browsers at once (EZFLOW_BROWSER_MAX_PER_WORKER)."
            ),
            code="browser_busy",
            values={"seconds": f"{wall:g}"},
        )
    try:
        keep = IN_WORKER and bool(settings.EZFLOW_BROWSER_WARM)
        browser = POOL.take() if keep else None
        if browser is None:
            browser = WarmBrowser()
        try:
            request = _request(chromium, actions, login, allow_hosts, action_timeout)
            outcome = browser.session(request, wall - (time.monotonic() - started))
        except BaseException:
            browser.close()
            raise
        if keep:
            POOL.give_back(browser)
        else:
            browser.close()
        return outcome
    finally:
        pool.release()


def _request(chromium: str, actions: list[dict], login: dict | None, allow_hosts, action_timeout: float) -> dict:
    platform = policy()
    return {
        "executable": chromium,
        # Chromium's own sandbox wherever the kernel gives its user namespaces; `--no-sandbox` only where it cannot work
        "sandbox": _user_namespaces_for(_chromium_user()),
        "actions": actions,
        "login": login,
        "allow_hosts": list(allow_hosts or ()),
        "policy": {
            "never": [str(n) for n in platform.never],
            "never_names": sorted(platform.never_names),
            "may_allow": [str(n) for n in platform.organizations_may_allow],
        },
        "action_timeout": action_timeout,
        "max_file_bytes": int(settings.EZFLOW_BROWSER_MAX_FILE_BYTES),
    }


def _chromium_user() -> tuple[int, int] | None:
    """The user Chromium runs as when the worker is root (`nobody`, through setpriv); None: the worker's own user."""
    return sandbox_user() if os.path.exists(SETPRIV) else None


@cache
def _user_namespaces_for(user: tuple[int, int] | None) -> bool:
    """Chromium's own sandbox needs user namespaces for the user it runs as (root or not, containers often lack them)."""
    prefix = [SETPRIV, f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups"] if user else []
    try:
        return subprocess.run([*prefix, "unshare", "-U", "-r", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


WRAPPER = """#!/bin/sh
# Written by apps/browser/runner.py: Chromium never runs as root. Playwright made the profile folder as root.
for arg in "$@"; do
  case "$arg" in --user-data-dir=*) chown -R {uid}:{gid} "${{arg#--user-data-dir=}}" ;; esac
done
exec {setpriv} --reuid={uid} --regid={gid} --clear-groups {chromium} "$@"
"""


class WarmBrowser:
    """The child process (apps/browser/child.py) with Playwright's driver and one Chromium under it, in a folder of
    its own (profile, downloads, each session's kept files in out/<n>), serving one session at a time."""

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="ezflow-browser-"))
        self.token = secrets.token_hex(16)
        self.processes = Processes(self.token)
        self.sessions = 0
        self.owner = os.getpid()
        self.memory_kb = 0
        (self.workdir / "downloads").mkdir()
        (self.workdir / "out").mkdir()
        self.user = _chromium_user()
        if self.user:  # Chromium (as nobody) writes its profile and downloads here; the child (root) reads them back
            for folder in (self.workdir, self.workdir / "downloads"):
                os.chown(folder, *self.user)
        file_limit = int(settings.EZFLOW_BROWSER_MAX_FILE_BYTES) + 64 * 1024 * 1024  # Chromium's profile databases too

        def confine():
            os.setsid()
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        env = {
            "EZFLOW_BROWSER_SESSION": self.token,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": str(ROOT),
            "HOME": str(self.workdir),
            "TMPDIR": str(self.workdir),
            "XDG_CONFIG_HOME": str(self.workdir / ".config"),
            "XDG_CACHE_HOME": str(self.workdir / ".cache"),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-B", "-m", "apps.browser.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.workdir,
            env=env,
            preexec_fn=confine,  # noqa: PLW1509  (the limits and the process group must be set in the child)
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _wrapper(self, chromium: str) -> str:
        path = self.workdir / "chromium-as-nobody"
        if not path.exists():
            uid, gid = self.user
            path.write_text(WRAPPER.format(uid=uid, gid=gid, setpriv=SETPRIV, chromium=shlex.quote(chromium)))
            path.chmod(0o755)
        return str(path)

    def session(self, request: dict, wall: float) -> Outcome:
        self.sessions += 1
        number = self.sessions
        request = dict(request, session=number)
        if self.user:
            request["executable"] = self._wrapper(request["executable"])
        memory_limit_kb = int(settings.EZFLOW_BROWSER_MEMORY_MB) * 1024
        peak = {"kb": 0, "over": False}
        done = threading.Event()

        def watch_memory():
            while not done.wait(MEMORY_CHECK_SECONDS):
                used = self.processes.memory_kb()
                peak["kb"] = max(peak["kb"], used)
                if used > memory_limit_kb:
                    peak["over"] = True
                    self.processes.kill()
                    return

        watcher = threading.Thread(target=watch_memory, daemon=True)
        watcher.start()
        try:
            try:
                self.process.stdin.write(json.dumps(request, default=str).encode() + b"\n")
                self.process.stdin.flush()
            except (BrokenPipeError, OSError):
                raise _crashed("the browser's process ended") from None
            line = self._answer_line(time.monotonic() + wall, wall, peak)
        finally:
            done.set()
        self.memory_kb = self.processes.proportional_kb()
        answer = _answer(line)
        outcome = Outcome(answer=answer, peak_memory_kb=peak["kb"])
        out = self.workdir / "out" / str(number)
        try:
            for name, described in (answer.get("files") or {}).items():
                outcome.files[name] = (out / Path(described["path"]).name).read_bytes()
            if answer.get("screenshot"):
                shot = out / Path(answer["screenshot"]).name
                outcome.failure_screenshot = shot.read_bytes() if shot.exists() else None
        finally:
            shutil.rmtree(out, ignore_errors=True)
            for leftover in (self.workdir / "downloads").iterdir():  # what the session's context downloaded
                with contextlib.suppress(OSError):
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        return outcome

    def _answer_line(self, deadline: float, wall: float, peak: dict) -> bytes:
        buffer = bytearray()
        descriptor = self.process.stdout.fileno()
        while True:
            start = buffer.rfind(ANSWER)
            if start >= 0 and buffer.find(b"\n", start) >= 0:
                return bytes(buffer[start + len(ANSWER) : buffer.find(b"\n", start)])
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise NodeError(
                    gettext_noop("The browser took longer than %(seconds)s seconds and was stopped."),
                    code="browser_timeout",
                    values={"seconds": f"{wall:.0f}"},
                )
            ready, _, _ = select.select([descriptor], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                self.close()
                if peak["over"]:
                    raise NodeError(
                        gettext_noop("The browser needed more than %(megabytes)s MB of memory and was stopped."),
                        code="browser_memory_limit",
                        values={"megabytes": str(settings.EZFLOW_BROWSER_MEMORY_MB)},
                    )
                raise _crashed("the browser's process ended")
            buffer += chunk
            if len(buffer) > ANSWER_BYTES:
                self.close()
                raise _crashed("the answer was too large")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        self.processes.kill(wait=5.0)  # Chromium and its helpers outlive the driver when the child is killed
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        with contextlib.suppress(OSError):
            self.process.stdout.close()
        _remove(self.workdir)


def _crashed(detail: str) -> NodeError:
    return NodeError(gettext_noop("The browser stopped without an answer."), code="browser_crashed", detail=detail)


class BrowserPool:
    """The warm browsers of this worker process: at most EZFLOW_BROWSER_MAX_PER_WORKER kept between sessions. One is
    replaced when it died, served EZFLOW_BROWSER_RECYCLE_SESSIONS sessions, or holds more than
    EZFLOW_BROWSER_RECYCLE_MEMORY_MB after a session (a page that leaked memory into the browser process). One left
    unused for EZFLOW_BROWSER_IDLE_SECONDS is closed by a reaper thread, so a worker that ran one browser step does
    not hold a few hundred MB until it restarts."""

    def __init__(self):
        self._idle: list[WarmBrowser] = []
        self._since: dict[int, float] = {}  # id(browser) -> when it was given back
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._reaper: threading.Thread | None = None

    def take(self) -> WarmBrowser | None:
        with self._lock:
            if self._owner != os.getpid():  # a forked worker: the parent's browsers are not ours to use
                self._idle, self._since, self._owner, self._reaper = [], {}, os.getpid(), None
            while self._idle:
                browser = self._idle.pop()
                self._since.pop(id(browser), None)
                if browser.alive and browser.processes.members():
                    return browser
                browser.close()
        return None

    def give_back(self, browser: WarmBrowser) -> None:
        worn = browser.sessions >= int(settings.EZFLOW_BROWSER_RECYCLE_SESSIONS)
        grown = browser.memory_kb > int(settings.EZFLOW_BROWSER_RECYCLE_MEMORY_MB) * 1024
        if worn or grown or not browser.alive or browser.owner != os.getpid():
            browser.close()
            return
        with self._lock:
            if len(self._idle) < max(int(settings.EZFLOW_BROWSER_MAX_PER_WORKER), 1):
                self._idle.append(browser)
                self._since[id(browser)] = time.monotonic()
                if self._reaper is None:
                    self._reaper = threading.Thread(target=self._reap, name="browser-reaper", daemon=True)
                    self._reaper.start()
                return
        browser.close()

    def close_idle(self, older_than: float) -> int:
        """Closes the browsers unused for more than `older_than` seconds; answers how many."""
        now = time.monotonic()
        with self._lock:
            expired = [b for b in self._idle if now - self._since.get(id(b), now) > older_than]
            self._idle = [b for b in self._idle if b not in expired]
            for browser in expired:
                self._since.pop(id(browser), None)
        for browser in expired:
            browser.close()
        return len(expired)

    def _reap(self) -> None:
        idle_seconds = max(float(settings.EZFLOW_BROWSER_IDLE_SECONDS), 0.1)
        while True:
            time.sleep(min(idle_seconds / 4, 30.0))
            self.close_idle(idle_seconds)
            with self._lock:
                if not self._idle or self._owner != os.getpid():
                    self._reaper = None  # the next give_back starts another
                    return

    def close_all(self) -> None:
        with self._lock:
            browsers, self._idle, self._since = self._idle, [], {}
        for browser in browsers:
            browser.close()

    def idle(self) -> list[WarmBrowser]:
        with self._lock:
            return list(self._idle)


POOL = BrowserPool()
atexit.register(POOL.close_all)

# Set in processes that execute Celery tasks (BrowserConfig.ready() connects task_prerun): only they keep browsers
# warm. A web process (the editor's step test) starts a browser that ends with the request.
IN_WORKER = False


def mark_worker(**_) -> None:
    global IN_WORKER
    IN_WORKER = True


def _remove(workdir: Path, *, seconds: float = 10.0) -> None:
    """Deletes the session's folder; a Chromium helper still finishing a write can recreate a file in it for a moment
    after the kill (seen on a loaded machine), so it tries again until the folder is gone."""
    deadline = time.monotonic() + seconds
    while True:
        shutil.rmtree(workdir, ignore_errors=True)
        if not workdir.exists() or time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def _answer(line: bytes) -> dict:
    try:
        answer = json.loads(line.decode("utf-8", "replace"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise _crashed(line[-2000:].decode("utf-8", "replace"))
    return answer
