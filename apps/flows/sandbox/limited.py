"""A long-lived limited child process that answers requests, shared by the ONNX step (apps/ai/modules/runner.py) and
the document steps (apps/documents/isolated.py).

The child is `python -I -B <script>` in a fresh temporary directory, in a session of its own, with limits on address
space, CPU time, written files, open files and core dumps, in an empty network namespace where the kernel allows one,
and told (EZFLOW_SANDBOX_UID/GID) to drop to `nobody` after loading its libraries when the worker runs as root.

Protocol: the parent writes a JSON header line, then `size` raw bytes when the header says so; the child answers one
JSON line. The first line the child writes (any JSON) says it is ready. Whatever goes wrong (no answer in time, the
process dies, an answer too large) becomes a NodeError made by the subclass's hooks, and the process is killed."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.sandbox.runner import network_isolation, sandbox_user


@dataclass(frozen=True)
class ProcessLimits:
    memory_mb: int = 1024
    cpu_seconds: int = 20
    wall_seconds: float = 30.0
    lifetime_cpu_seconds: int = 3600  # the hard CPU limit of the process's whole life
    file_bytes: int = 0
    open_files: int = 64
    answer_bytes: int = 50_000_000
    startup_seconds: float = 60.0  # loading libraries on a busy machine; not part of a request's time


class LimitedChild:
    prefix = "ezflow-child-"

    def __init__(self, script: Path, limits: ProcessLimits, *, env: dict | None = None):
        self.process_limits = limits
        self.workdir = tempfile.mkdtemp(prefix=self.prefix)
        drop_to = sandbox_user()
        if drop_to:
            os.chown(self.workdir, *drop_to)
        memory = limits.memory_mb * 1024 * 1024

        def confine():
            os.setsid()
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds + 5, max(limits.lifetime_cpu_seconds, limits.cpu_seconds + 6)))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
            resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        child_env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": self.workdir, "TMPDIR": self.workdir, **(env or {})}
        if drop_to:
            child_env.update(EZFLOW_SANDBOX_UID=str(drop_to[0]), EZFLOW_SANDBOX_GID=str(drop_to[1]))
        command = [*network_isolation(), sys.executable, "-I", "-B", str(script)]
        self.process = subprocess.Popen(  # noqa: PLW1509  (limits must be set in the child)
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.workdir,
            env=child_env,
            preexec_fn=confine,
        )
        self.served = 0
        self.starting = True
        self._read_line(time.monotonic() + limits.startup_seconds)
        self.starting = False
        self.owner = os.getpid()

    # The errors, worded for what runs in the child.
    def startup_error(self) -> NodeError:
        return NodeError(gettext_noop("The limited process could not start."), code="child_crashed")

    def timeout_error(self, seconds: float) -> NodeError:
        return NodeError(
            gettext_noop("The work ran longer than %(seconds)s seconds and was stopped."),
            code="child_timeout",
            values={"seconds": f"{seconds:g}"},
        )

    def too_large_error(self) -> NodeError:
        return NodeError(
            gettext_noop("The answer is larger than %(limit)s bytes."),
            code="child_output_too_large",
            values={"limit": f"{self.process_limits.answer_bytes:,}"},
        )

    def died_error(self, returncode: int | None) -> NodeError:
        return NodeError(gettext_noop("The limited process stopped unexpectedly."), code="child_crashed")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict, payload: bytes = b"", *, wall_seconds: float | None = None) -> dict:
        seconds = self.process_limits.wall_seconds if wall_seconds is None else wall_seconds
        self._wall = seconds
        header = dict(request)
        if payload:
            header["size"] = len(payload)
        try:
            self.process.stdin.write(json.dumps(header).encode() + b"\n")
            if payload:
                self.process.stdin.write(payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._died() from None
        line = self._read_line(time.monotonic() + seconds)
        self.served += 1
        try:
            return json.loads(line)
        except ValueError:
            self.close()
            raise self.bad_answer(line) from None

    def bad_answer(self, line: bytes) -> NodeError:
        detail = line[:500].decode("utf-8", "replace")
        return NodeError(gettext_noop("The limited process gave an answer that could not be read."), code="child_crashed", detail=detail)

    def _read_line(self, deadline: float) -> bytes:
        buffer = bytearray()
        descriptor = self.process.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                if self.starting:
                    raise self.startup_error()
                raise self.timeout_error(getattr(self, "_wall", self.process_limits.wall_seconds))
            ready, _, _ = select.select([descriptor], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                raise self._died()
            buffer += chunk
            if len(buffer) > self.process_limits.answer_bytes:
                self.close()
                raise self.too_large_error()
            if buffer.endswith(b"\n"):
                return bytes(buffer)

    def _died(self) -> NodeError:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        if self.starting:
            return self.startup_error()
        return self.died_error(code)

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


CPU_KILLED = (-signal.SIGXCPU, -signal.SIGKILL)
