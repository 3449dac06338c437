"""Starts the JavaScript sandbox process (js_child.py) for a code step or n8n-style expressions, and enforces its limits.

V8 reserves a large virtual address space up front, so the address-space limit of the Python sandbox cannot be used:
memory is bounded by V8's heap limit (a clear "needed more than N MB" error) with a kernel data-size limit behind
it; time by V8's own timeout, the CPU-time limit and a wall-clock kill of the whole process group.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from apps.flows.engine.errors import gettext_noop
from apps.flows.sandbox.runner import Limits, SandboxError, network_isolation, nobody, run_confined

CHILD = Path(__file__).with_name("js_child.py")
# Headroom above V8's heap for the interpreter, V8's code space and ICU data; a backstop, not the limit people see.
BASE_DATA_MB = 900
DEFAULT_LIMITS = Limits(memory_mb=128)


@dataclass
class JsResult:
    result: list = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    static: dict | None = None  # the flow state the code asked for ($getWorkflowStaticData), as it left it


@cache
def _engine_site() -> str:
    import py_mini_racer

    return str(Path(py_mini_racer.__file__).resolve().parent.parent)


def _run(request: dict, limits: Limits) -> JsResult:
    workdir = tempfile.mkdtemp(prefix="ezflow-js-")
    drop_to = nobody()
    if drop_to:
        os.chown(workdir, *drop_to)

    def confine():
        os.setsid()
        data = (limits.memory_mb + BASE_DATA_MB) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds + 1, limits.cpu_seconds + 2))
        resource.setrlimit(resource.RLIMIT_DATA, (data, data))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    command = [*network_isolation(), sys.executable, "-I", "-S", "-B", str(CHILD)]
    payload = json.dumps({**request, "memory_mb": limits.memory_mb, "seconds": limits.cpu_seconds}, default=str)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "HOME": workdir, "TMPDIR": workdir}
    env["EZFLOW_JS_SITE"] = _engine_site()
    if drop_to:
        env.update(EZFLOW_SANDBOX_UID=str(drop_to[0]), EZFLOW_SANDBOX_GID=str(drop_to[1]))
    return _parse(*run_confined(command, payload.encode(), env=env, workdir=workdir, confine=confine, limits=limits), limits)


def _parse(returncode: int, stdout: bytes, stderr: bytes, limits: Limits) -> JsResult:
    if len(stdout) > limits.output_bytes:
        raise SandboxError(
            gettext_noop("The code's result is larger than %(limit)s bytes."),
            "code_output_too_large",
            values={"limit": f"{limits.output_bytes:,}"},
        )
    if returncode in (-9, -24, 137):
        raise SandboxError(
            gettext_noop("The code used more than %(seconds)s seconds of CPU time and was stopped."),
            "code_cpu_limit",
            values={"seconds": str(limits.cpu_seconds)},
        )
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        tail = stderr.decode("utf-8", "replace")[-2000:]
        if "out of memory" in tail.lower() or "oom" in tail.lower():
            raise _memory_error(limits, tail)
        raise SandboxError(gettext_noop("The code stopped without a result."), "code_crashed", tail)
    try:
        answer = json.loads(lines[-1])
    except ValueError:
        raise SandboxError(gettext_noop("The code's result could not be read."), "code_crashed", lines[-1][:2000]) from None
    logs = [str(line) for line in answer.get("logs") or []]
    if answer.get("ok"):
        static = answer.get("static")
        return JsResult(result=answer.get("result") or [], logs=logs, static=static if isinstance(static, dict) else None)
    if answer.get("limit") == "time":
        raise SandboxError(
            gettext_noop("The code ran longer than %(seconds)s seconds and was stopped."),
            "code_timeout",
            values={"seconds": str(limits.cpu_seconds)},
        )
    if answer.get("limit") == "memory":
        raise _memory_error(limits, "")
    error = SandboxError(
        gettext_noop("The code failed: %(reason)s"), "code_error", "\n".join(logs)[-4000:], values={"reason": str(answer.get("error"))}
    )
    raise error


def _memory_error(limits: Limits, detail: str) -> SandboxError:
    return SandboxError(
        gettext_noop("The code needed more than %(megabytes)s MB of memory."),
        "code_memory_limit",
        detail,
        values={"megabytes": str(limits.memory_mb)},
    )


def run_javascript(
    code: str, items: list[dict], *, mode: str = "all", nodes: dict | None = None, meta: dict | None = None, limits: Limits = DEFAULT_LIMITS
) -> JsResult:
    """n8n's Code-node contract: the code returns [{json: ...}] or plain objects; console output comes back in `logs`."""
    request = {"kind": "code", "code": code, "mode": mode, "items": items, "nodes": nodes or {}, "meta": meta or {}}
    if meta and meta.get("timezone"):
        request["timezone"] = meta["timezone"]
    return _run(request, limits)


def evaluate_n8n(
    params: dict, items: list[dict], *, indexes: list[int], nodes: dict, meta: dict, limits: Limits, on_static=None
) -> list[dict]:
    """n8n-dialect parameters (strings starting with "=") resolved for each of `indexes`: [{params, errors}].
    `on_static` is given the flow state the expressions asked for ($getWorkflowStaticData), if they did."""
    request = {"kind": "expressions", "params": params, "items": items, "indexes": indexes, "nodes": nodes, "meta": meta}
    if meta.get("timezone"):
        request["timezone"] = meta["timezone"]
    answer = _run(request, limits)
    if answer.static is not None and on_static is not None:
        on_static(answer.static)
    return answer.result
