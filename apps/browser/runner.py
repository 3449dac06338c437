"""Starts a browser session in a child process and keeps it inside its limits from the outside.

One child process per session (`python -m apps.browser.child`, in its own process group, with Playwright's driver and
Chromium under it) with a fresh temporary directory for Chromium's profile and downloads, deleted afterwards. The
parent holds one of the worker process's browser slots (EZFLOW_BROWSER_MAX_PER_WORKER) while it runs, stops the whole
process group when the wall time (the step's time left, at most EZFLOW_BROWSER_MAX_SECONDS) or the memory of the
group (EZFLOW_BROWSER_MEMORY_MB, resident) runs out, and reads back the answer and the files the child kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from apps.core.network_policy import policy
from apps.flows.engine.errors import NodeError, gettext_noop

ROOT = Path(__file__).resolve().parents[2]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MEMORY_CHECK_SECONDS = 0.25

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
    """Runs `actions` (checked by apps.browser.actions.checked) in a new browser; raises NodeError for the limits."""
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
        return _run(chromium, actions, login, allow_hosts, wall - (time.monotonic() - started), action_timeout)
    finally:
        pool.release()


def _request(chromium: str, actions: list[dict], login: dict | None, allow_hosts, action_timeout: float) -> bytes:
    platform = policy()
    return json.dumps(
        {
            "executable": chromium,
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
        },
        default=str,
    ).encode()


def _run(chromium, actions, login, allow_hosts, wall: float, action_timeout: float) -> Outcome:
    workdir = Path(tempfile.mkdtemp(prefix="ezflow-browser-"))
    file_limit = int(settings.EZFLOW_BROWSER_MAX_FILE_BYTES) + 64 * 1024 * 1024  # Chromium's profile databases too
    memory_limit_kb = int(settings.EZFLOW_BROWSER_MEMORY_MB) * 1024

    def confine():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    token = secrets.token_hex(16)
    processes = Processes(token)
    env = {
        "EZFLOW_BROWSER_SESSION": token,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": str(ROOT),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "XDG_CONFIG_HOME": str(workdir / ".config"),
        "XDG_CACHE_HOME": str(workdir / ".cache"),
    }
    (workdir / "downloads").mkdir()
    peak = {"kb": 0, "over": False}
    try:
        process = subprocess.Popen(
            [sys.executable, "-B", "-m", "apps.browser.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=env,
            preexec_fn=confine,  # noqa: PLW1509  (the limits and the process group must be set in the child)
        )
        done = threading.Event()

        def watch_memory():
            while not done.wait(MEMORY_CHECK_SECONDS):
                used = processes.memory_kb()
                peak["kb"] = max(peak["kb"], used)
                if used > memory_limit_kb:
                    peak["over"] = True
                    processes.kill()
                    return

        watcher = threading.Thread(target=watch_memory, daemon=True)
        watcher.start()
        try:
            stdout, stderr = process.communicate(_request(chromium, actions, login, allow_hosts, action_timeout), timeout=wall)
        except subprocess.TimeoutExpired:
            processes.kill()
            process.communicate()
            raise NodeError(
                gettext_noop("The browser took longer than %(seconds)s seconds and was stopped."),
                code="browser_timeout",
                values={"seconds": f"{wall:.0f}"},
            ) from None
        finally:
            done.set()
            processes.kill(wait=5.0)  # Chromium and its helpers outlive the driver when the child is killed
        if peak["over"]:
            raise NodeError(
                gettext_noop("The browser needed more than %(megabytes)s MB of memory and was stopped."),
                code="browser_memory_limit",
                values={"megabytes": str(settings.EZFLOW_BROWSER_MEMORY_MB)},
            )
        answer = _answer(stdout, stderr)
        outcome = Outcome(answer=answer, peak_memory_kb=peak["kb"])
        out = workdir / "out"
        for name, described in (answer.get("files") or {}).items():
            outcome.files[name] = (out / Path(described["path"]).name).read_bytes()
        if answer.get("screenshot"):
            shot = out / Path(answer["screenshot"]).name
            outcome.failure_screenshot = shot.read_bytes() if shot.exists() else None
        return outcome
    finally:
        _remove(workdir)


def _remove(workdir: Path, *, seconds: float = 10.0) -> None:
    """Deletes the session's folder; a Chromium helper still finishing a write can recreate a file in it for a moment
    after the kill (seen on a loaded machine), so it tries again until the folder is gone."""
    deadline = time.monotonic() + seconds
    while True:
        shutil.rmtree(workdir, ignore_errors=True)
        if not workdir.exists() or time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def _answer(stdout: bytes, stderr: bytes) -> dict:
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise NodeError(
            gettext_noop("The browser stopped without an answer."),
            code="browser_crashed",
            detail=stderr.decode("utf-8", "replace")[-2000:],
        )
    return answer
