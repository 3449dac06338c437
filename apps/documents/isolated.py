"""The parent side of document work in a limited child process (child.py): a step opens one `Documents` for its
whole execution (one child, started with only the libraries it needs, ended with the step, never shared between
steps, runs or organizations) and calls the format modules' functions through it by name.

Limits (settings `EZFLOW_DOCUMENTS_MEMORY_MB`, `_CPU_SECONDS`, `_WALL_SECONDS`): a call also ends with the step's own
time left. A child that crossed a limit is killed and its error said in words; the next call starts a new one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apps.documents import wire
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.sandbox.limited import CPU_KILLED, LimitedChild, ProcessLimits

CHILD = Path(__file__).with_name("child.py")
ANSWER_BYTES = 400_000_000  # files made (split pages, images) come back base64 in one line


def _limits() -> ProcessLimits:
    try:
        from django.conf import settings

        memory = settings.EZFLOW_DOCUMENTS_MEMORY_MB
        cpu = settings.EZFLOW_DOCUMENTS_CPU_SECONDS
        wall = settings.EZFLOW_DOCUMENTS_WALL_SECONDS
    except Exception:  # the engine without Django (scripts, benchmarks): the defaults
        memory, cpu, wall = 1536, 120, 300.0
    return ProcessLimits(
        memory_mb=memory,
        cpu_seconds=cpu,
        wall_seconds=wall,
        lifetime_cpu_seconds=cpu * 10,
        file_bytes=200 * 1024 * 1024,  # libraries write temporary files (openpyxl saving) in the private folder
        open_files=64,
        answer_bytes=ANSWER_BYTES,
    )


class _DocumentChild(LimitedChild):
    prefix = "ezflow-doc-"

    def startup_error(self) -> NodeError:
        return NodeError(gettext_noop("The process that reads documents could not start."), code="document_crashed")

    def timeout_error(self, seconds: float) -> NodeError:
        return NodeError(
            gettext_noop("Working on the document took longer than %(seconds)s seconds and was stopped."),
            code="document_timeout",
            values={"seconds": f"{seconds:.0f}"},
        )

    def too_large_error(self) -> NodeError:
        return NodeError(
            gettext_noop("What the document step made is larger than %(limit)s MB."),
            code="document_output_too_large",
            values={"limit": f"{ANSWER_BYTES // 1_000_000}"},
        )

    def died_error(self, returncode: int | None) -> NodeError:
        if returncode in CPU_KILLED:
            return NodeError(
                gettext_noop("Working on the document used more than %(seconds)s seconds of CPU time and was stopped."),
                code="document_cpu_limit",
                values={"seconds": str(self.process_limits.cpu_seconds)},
            )
        return memory_error(self.process_limits.memory_mb)

    def bad_answer(self, line: bytes) -> NodeError:
        return failed_error(line[:300].decode("utf-8", "replace"))


def memory_error(megabytes: int) -> NodeError:
    return NodeError(
        gettext_noop(
            "The document needed more than %(megabytes)s MB of memory and was stopped. It may be damaged or built to "
            "unpack into far more data than it holds."
        ),
        code="document_memory",
        values={"megabytes": str(megabytes)},
    )


def failed_error(detail: str) -> NodeError:
    return NodeError(
        gettext_noop("The document could not be read: it may be damaged or in a form this step does not know."),
        code="document_failed",
        detail=detail,
    )


class Documents:
    """`with Documents(ctx, "excel") as docs: rows = docs.call("excel.read_sheet", data, sheet="")`."""

    def __init__(self, ctx=None, *modules: str, limits: ProcessLimits | None = None):
        self.ctx = ctx
        self.modules = modules
        self.limits = limits or _limits()
        self._child: _DocumentChild | None = None

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("check", None)  # the child is limited by time from here instead
        wall = self.limits.wall_seconds
        if self.ctx is not None and hasattr(self.ctx, "seconds_left"):
            self.ctx.check_deadline()
            wall = min(wall, max(self.ctx.seconds_left(), 1.0))
        if self._child is None or not self._child.alive:
            module = function.partition(".")[0]
            names = sorted({*self.modules, module})
            self._child = _DocumentChild(CHILD, self.limits, env={"EZFLOW_DOCUMENT_MODULES": ",".join(names)})
        blobs: list[bytes] = []
        header = {
            "fn": function,
            "cpu_seconds": self.limits.cpu_seconds,
            "args": wire.encode(list(args), blobs),
            "kwargs": wire.encode(kwargs, blobs),
        }
        header["blobs"] = [len(blob) for blob in blobs]
        try:
            answer = self._child.ask(header, b"".join(blobs), wall_seconds=wall)
        except NodeError:
            self._child = None  # killed by the limit that raised
            raise
        if not isinstance(answer, dict):
            self.close()
            raise failed_error("answer not an object")
        if answer.get("ok"):
            try:
                return wire.decode(answer.get("result"))
            except (ValueError, TypeError) as exc:
                self.close()
                raise failed_error(str(exc)) from None
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        code = str(error.get("code") or "document_failed")
        if code == "document_memory":
            self.close()  # a process that ran out of memory is not trusted with the next file
            raise memory_error(self.limits.memory_mb)
        if code == "document_failed" or not error.get("template"):
            raise failed_error(str(error.get("detail") or ""))
        values = error.get("values") if isinstance(error.get("values"), dict) else {}
        raise NodeError(
            str(error["template"]), code=code, detail=str(error.get("detail") or ""), values={str(k): str(v) for k, v in values.items()}
        )

    def close(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None

    def __enter__(self) -> Documents:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def pdf_preview(data: bytes) -> bytes:
    """A PDF's first page as a PNG, drawn in a child of its own with tighter limits (apps/files/previews.py)."""
    limits = ProcessLimits(memory_mb=768, cpu_seconds=15, wall_seconds=20.0, lifetime_cpu_seconds=20, answer_bytes=20_000_000)
    with Documents(None, "pdf", limits=limits) as documents:
        return documents.call("pdf.first_page_png", data)
