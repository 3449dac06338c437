"""Starts the sandbox process for a code node and enforces its limits from the outside."""

from __future__ import annotations

import json
import os
import pwd
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from apps.flows.engine.errors import gettext_noop

CHILD = Path(__file__).with_name("child.py")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 10
    wall_seconds: float = 30
    memory_mb: int = 256
    output_bytes: int = 5_000_000
    file_bytes: int = 10_000_000


class SandboxError(Exception):
    """A code node's failure. With `values`, `message` is a template (as for EngineError): `template` and `values`
    are kept for the reader's language, `message` is the formatted English text."""

    def __init__(self, message: str, code: str, detail: str = "", *, values: dict | None = None):
        self.template, self.values = message, dict(values or {})
        message = message % self.values if self.values else message
        super().__init__(message)
        self.message, self.code, self.detail = message, code, detail


@cache
def network_isolation() -> list[str]:
    """`unshare -n` gives the child an empty network namespace where the kernel lets us (root, or user namespaces)."""
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    for prefix in ([unshare, "-n"], [unshare, "-r", "-n"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=5).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return []


def nobody() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def run_code(code: str, items: list[dict], *, mode: str = "all", limits: Limits = Limits()) -> list[dict]:
    workdir = tempfile.mkdtemp(prefix="ezflow-code-")
    drop_to = nobody()
    if drop_to:
        os.chown(workdir, *drop_to)

    def confine():
        os.setsid()
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    command = [*network_isolation(), sys.executable, "-I", "-S", "-B", str(CHILD)]
    request = json.dumps({"code": code, "mode": mode, "items": items}, default=str)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "HOME": workdir, "TMPDIR": workdir}
    if drop_to:  # the child drops to this user itself, after loading its modules
        env.update(EZFLOW_SANDBOX_UID=str(drop_to[0]), EZFLOW_SANDBOX_GID=str(drop_to[1]))
    return _parse(*run_confined(command, request.encode(), env=env, workdir=workdir, confine=confine, limits=limits), limits)


def run_confined(command: list[str], payload: bytes, *, env: dict, workdir: str, confine, limits: Limits) -> tuple[int, bytes, bytes]:
    """Starts a code child with `confine` applied in it, sends `payload`, waits up to the wall limit (then kills its
    process group: a clear `code_timeout`), and removes its working folder; answers (returncode, stdout, stderr)."""
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir, env=env, preexec_fn=confine
        )  # noqa: PLW1509  (limits must be set in the child)
        try:
            stdout, stderr = process.communicate(payload, timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.communicate()
            raise SandboxError(
                gettext_noop("The code ran longer than %(seconds)s seconds and was stopped."),
                "code_timeout",
                values={"seconds": f"{limits.wall_seconds:g}"},
            ) from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return process.returncode, stdout, stderr


def _parse(returncode: int, stdout: bytes, stderr: bytes, limits: Limits) -> list[dict]:
    if len(stdout) > limits.output_bytes:
        raise SandboxError(
            gettext_noop("The code's result is larger than %(limit)s bytes."),
            "code_output_too_large",
            values={"limit": f"{limits.output_bytes:,}"},
        )
    if returncode in (-9, -24) or returncode == 137:  # SIGKILL / SIGXCPU
        raise SandboxError(
            gettext_noop("The code used more than %(seconds)s seconds of CPU time and was stopped."),
            "code_cpu_limit",
            values={"seconds": str(limits.cpu_seconds)},
        )
    if returncode == -25:
        raise SandboxError(gettext_noop("The code wrote a file larger than allowed."), "code_file_limit")
    line = stdout.decode("utf-8", "replace").strip().splitlines()[-1:] if stdout else []
    if not line:
        tail = stderr.decode("utf-8", "replace")[-2000:]
        if "MemoryError" in tail:
            raise SandboxError(
                gettext_noop("The code needed more than %(megabytes)s MB of memory."),
                "code_memory_limit",
                tail,
                values={"megabytes": str(limits.memory_mb)},
            )
        raise SandboxError(gettext_noop("The code stopped without a result."), "code_crashed", tail)
    try:
        payload = json.loads(line[0])
    except ValueError:
        raise SandboxError(gettext_noop("The code's result could not be read."), "code_crashed", line[0][:2000]) from None
    if not payload.get("ok"):
        message = payload.get("error", "error")
        if message.startswith("MemoryError"):
            raise SandboxError(
                gettext_noop("The code needed more than %(megabytes)s MB of memory."),
                "code_memory_limit",
                payload.get("detail", ""),
                values={"megabytes": str(limits.memory_mb)},
            )
        raise SandboxError(
            gettext_noop("The code failed: %(reason)s"), "code_error", payload.get("detail", ""), values={"reason": str(message)}
        )
    result = payload["result"]
    if isinstance(result, dict):
        result = [result]
    if not isinstance(result, list) or not all(isinstance(item, dict) for item in result):
        raise SandboxError(gettext_noop("Set `result` to a list of objects (dicts), or to one object."), "code_bad_result")
    return result


# For other limited child processes (apps/ai/modules/runner.py: ONNX inference).
sandbox_user = nobody
