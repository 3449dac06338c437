"""The parent side of ONNX inference: starts the limited child process (child.py), sends it models and inputs, and
turns whatever happens there (a refusal, a crash, a limit) into a NodeError with a stable code.

A worker process keeps up to `EZFLOW_AI_MODULE_WARM_PROCESSES` children running between steps, each holding the
last few models it loaded (keyed by the model's SHA-256), so a step pays the start (~1 s: numpy and onnxruntime) and
the model load once. Web processes ask with `warm=False`: their child ends with the request. A child that failed,
crossed a limit or served `RECYCLE_AFTER` requests is replaced."""

from __future__ import annotations

import atexit
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.sandbox.limited import CPU_KILLED, LimitedChild, ProcessLimits

CHILD = Path(__file__).with_name("child.py")
RECYCLE_AFTER = 500
ANSWER_BYTES = 50_000_000
STARTUP_SECONDS = 60.0  # loading numpy and onnxruntime on a busy machine; not part of a step's time limit


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024
    cpu_seconds: int = 20
    wall_seconds: float = 30.0
    # A warm child's whole life: it is replaced once it has used half of it.
    lifetime_cpu_seconds: int = 3600

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            memory_mb=settings.EZFLOW_AI_MODULE_MEMORY_MB,
            cpu_seconds=settings.EZFLOW_AI_MODULE_CPU_SECONDS,
            wall_seconds=settings.EZFLOW_AI_MODULE_WALL_SECONDS,
        )


MESSAGES = {
    "module_not_onnx": gettext_noop("The file is not an ONNX model."),
    "module_invalid": gettext_noop("The ONNX checker refused the model: %(reason)s"),
    "module_custom_ops": gettext_noop(
        "The model uses operators of the domain “%(reason)s”. Only standard ONNX operators are allowed (no custom-operator libraries)."
    ),
    "module_external_data": gettext_noop(
        "The model keeps the tensor “%(reason)s” in a separate file. Save the model with all its weights inside the .onnx file."
    ),
    "module_unloadable": gettext_noop("ONNX Runtime could not load the model: %(reason)s"),
    "module_input_missing": gettext_noop("The model needs the input “%(reason)s”, which the module's description does not fill."),
    "module_input_type": gettext_noop("The values for the model's input do not fit it: %(reason)s"),
    "module_image_unreadable": gettext_noop("The picture could not be read: %(reason)s"),
    "module_run_failed": gettext_noop("The model failed on this input: %(reason)s"),
    "module_memory": gettext_noop("The model needed more than %(megabytes)s MB of memory and was stopped."),
}


def module_error(code: str, reason: str = "", limits: Limits | None = None) -> NodeError:
    template = MESSAGES.get(code) or MESSAGES["module_run_failed"]
    values = {"reason": reason or "-"}
    if code == "module_memory":
        values = {"megabytes": str((limits or Limits()).memory_mb)}
    return NodeError(template, code=code if code in MESSAGES else "module_run_failed", detail=reason, values=values)


class _Child(LimitedChild):
    prefix = "ezflow-onnx-"

    def __init__(self, limits: Limits):
        self.loaded: set[str] = set()
        self.limits = limits
        env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # this machine's OpenBLAS needs them (docs/ai.md)
            if os.environ.get(name):
                env[name] = os.environ[name]
        process_limits = ProcessLimits(
            memory_mb=limits.memory_mb,
            cpu_seconds=limits.cpu_seconds,
            wall_seconds=limits.wall_seconds,
            lifetime_cpu_seconds=limits.lifetime_cpu_seconds,
            answer_bytes=ANSWER_BYTES,
            startup_seconds=STARTUP_SECONDS,
        )
        super().__init__(CHILD, process_limits, env=env)  # {"ready": true} came once numpy and onnxruntime were loaded

    def ask(self, request: dict, payload: bytes = b"", **kwargs) -> dict:
        answer = super().ask(dict(request, cpu_seconds=self.limits.cpu_seconds), payload, **kwargs)
        self.served -= 1  # counted per model run by Session.run, not per request
        return answer

    def bad_answer(self, line: bytes) -> NodeError:
        return module_error("module_run_failed", line[:500].decode("utf-8", "replace"))

    def startup_error(self) -> NodeError:
        return NodeError(gettext_noop("The model's process could not start."), code="module_crashed")

    def timeout_error(self, seconds: float) -> NodeError:
        return NodeError(
            gettext_noop("The model ran longer than %(seconds)s seconds and was stopped."),
            code="module_timeout",
            values={"seconds": f"{seconds:g}"},
        )

    def too_large_error(self) -> NodeError:
        return NodeError(
            gettext_noop("The model's answer is larger than %(limit)s bytes."),
            code="module_output_too_large",
            values={"limit": f"{ANSWER_BYTES:,}"},
        )

    def died_error(self, returncode: int | None) -> NodeError:
        if returncode in CPU_KILLED:
            return NodeError(
                gettext_noop("The model used more than %(seconds)s seconds of CPU time and was stopped."),
                code="module_cpu_limit",
                values={"seconds": str(self.limits.cpu_seconds)},
            )
        return NodeError(
            gettext_noop("The model's process stopped unexpectedly (it may have needed more than %(megabytes)s MB of memory)."),
            code="module_crashed",
            values={"megabytes": str(self.limits.memory_mb)},
        )


class Pool:
    """The warm children of this process. A thread takes one for a whole step (several requests), or starts a new one
    when all are busy; at most `size` are kept afterwards."""

    def __init__(self):
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._owner = os.getpid()

    def take(self, limits: Limits) -> _Child:
        with self._lock:
            if self._owner != os.getpid():  # a forked worker: the parent's children are not ours to use
                self._idle, self._owner = [], os.getpid()
            while self._idle:
                child = self._idle.pop()
                if child.alive and child.limits == limits:
                    return child
                child.close()
        return _Child(limits)

    def give_back(self, child: _Child, size: int) -> None:
        if not child.alive or child.served >= RECYCLE_AFTER or child.owner != os.getpid():
            child.close()
            return
        with self._lock:
            if len(self._idle) < size:
                self._idle.append(child)
                return
        child.close()

    def close_all(self) -> None:
        with self._lock:
            children, self._idle = self._idle, []
        for child in children:
            child.close()

    def count(self) -> int:
        with self._lock:
            return sum(1 for child in self._idle if child.alive)


POOL = Pool()
atexit.register(POOL.close_all)

# Set in processes that execute Celery tasks (AiConfig.ready() connects task_prerun): only they keep children warm. A web
# process (the editor's step test, the module page's test form) uses a child that ends with the request.
IN_WORKER = False


def mark_worker(**_) -> None:
    global IN_WORKER
    IN_WORKER = True


class Session:
    """One step's (or one test's) use of a child: `run` may be called many times; `close` gives it back."""

    def __init__(self, *, warm: bool, limits: Limits | None = None):
        from django.conf import settings

        self.limits = limits or Limits.from_settings()
        self.keep = settings.EZFLOW_AI_MODULE_WARM_PROCESSES if warm and IN_WORKER else 0
        self._child: _Child | None = None
        self.last_ms = 0.0

    def _get(self) -> _Child:
        if self._child is None or not self._child.alive:
            self._child = POOL.take(self.limits) if self.keep else _Child(self.limits)
        return self._child

    def check(self, model: bytes) -> dict:
        answer = self._get().ask({"op": "check"}, model)
        if not answer.get("ok"):
            raise module_error(answer.get("code", ""), answer.get("error", ""), self.limits)
        return answer["signature"]

    def run(self, *, sha: str, model_bytes, inputs: dict) -> dict:
        """`model_bytes`: the model, or a callable returning it (read from the database only when this child lacks it)."""
        for _attempt in range(2):
            child = self._get()
            if sha not in child.loaded:
                data = model_bytes() if callable(model_bytes) else model_bytes
                loaded = child.ask({"op": "load", "sha": sha}, bytes(data))
                if not loaded.get("ok"):
                    raise module_error(loaded.get("code", ""), loaded.get("error", ""), self.limits)
                child.loaded.add(sha)
            child.served += 1
            started = time.perf_counter()
            answer = child.ask({"op": "run", "sha": sha, "inputs": inputs})
            self.last_ms = (time.perf_counter() - started) * 1000  # the model's time: not the start or the load
            if answer.get("code") == "need_model":  # the child dropped it to keep its memory: send it again
                child.loaded.discard(sha)
                continue
            if not answer.get("ok"):
                if answer.get("code") == "module_memory":
                    self._discard()
                raise module_error(answer.get("code", ""), answer.get("error", ""), self.limits)
            return answer["outputs"]
        raise module_error("module_unloadable", "model dropped")

    def _discard(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None

    def close(self) -> None:
        if self._child is None:
            return
        if self.keep:
            POOL.give_back(self._child, self.keep)
        else:
            self._child.close()
        self._child = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
