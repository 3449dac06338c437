"""Reads and writes documents inside a limited child process (started by apps/documents/isolated.py through
apps/flows/sandbox/limited.py), so a hostile or huge file (a zip bomb, a decompression bomb, a PDF that never ends)
costs this process its memory or time limit, never the worker.

Loads the document modules named in EZFLOW_DOCUMENT_MODULES and their libraries, then drops to the sandbox user (when
started as root) and forbids new processes. Requests, one at a time: a JSON header {"fn": "pdf.extract_text",
"args": [...], "kwargs": {...}, "blobs": [sizes]} then the blobs' raw bytes; the answer is one JSON line {"ok": true,
"result": ...} or {"ok": false, "error": {"code", "template", "values", "detail"}} (apps/documents/wire.py)."""

import importlib
import json
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from apps.documents import wire  # noqa: E402

MODULES = {"excel", "pdf", "pdf_html", "word", "hwp", "images", "legacy"}
LIBRARIES = {
    "excel": ("openpyxl", "openpyxl.reader.excel", "openpyxl.writer.excel", "openpyxl.styles", "openpyxl.utils.datetime"),
    "pdf": ("pypdf", "pypdf.errors", "pypdfium2", "pdfplumber", "PIL.Image", "PIL.PngImagePlugin"),
    "pdf_html": ("fpdf", "fpdf.html"),
    "word": ("docx", "docx.table", "docx.text.paragraph", "docx.oxml.ns", "lxml.etree"),
    "hwp": ("olefile", "lxml.etree"),
    "images": ("PIL.Image", "PIL.ImageOps", "PIL.ExifTags", "PIL.TiffImagePlugin"),
    "legacy": ("xlrd", "olefile"),
}
# Loaded on first use by the libraries; the interpreter's own files may be unreadable once privileges are dropped.
STANDARD = ("zlib", "zipfile", "xml.etree.ElementTree", "decimal", "fractions", "statistics", "uuid", "hashlib", "zoneinfo")


def _load(names: list[str]) -> None:
    import encodings
    import pkgutil

    for codec in pkgutil.iter_modules(encodings.__path__):  # any codec a file may name (cp437 for zip names, cp949...)
        if codec.name not in ("mbcs", "oem", "cp65001"):
            importlib.import_module(f"encodings.{codec.name}")
    for name in STANDARD:
        importlib.import_module(name)
    for name in names:
        importlib.import_module(f"apps.documents.{name}")
        for library in LIBRARIES.get(name, ()):
            importlib.import_module(library)
        if name == "images":
            from PIL import Image

            Image.init()  # every image format's plugin now, not when a file first needs it


def _drop_privileges() -> None:
    uid, gid = os.environ.get("EZFLOW_SANDBOX_UID"), os.environ.get("EZFLOW_SANDBOX_GID")
    if uid and gid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(gid))
        os.setuid(int(uid))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def _limit_cpu(seconds: float) -> None:
    """Each call gets its own CPU time (SIGXCPU ends the process past it), within the hard limit of the whole life."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used.ru_utime + used.ru_stime + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _read_exact(stream, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _call(request: dict, blobs: list[bytes]):
    module_name, _, function_name = str(request.get("fn", "")).partition(".")
    if module_name not in MODULES or not function_name or function_name.startswith("_"):
        raise ValueError(f"unknown function {request.get('fn')!r}")
    function = getattr(importlib.import_module(f"apps.documents.{module_name}"), function_name)
    args = wire.decode(request.get("args") or [], blobs)
    kwargs = wire.decode(request.get("kwargs") or {wire.DICT: {}}, blobs)
    return function(*args, **kwargs)


def main() -> None:
    from apps.flows.engine.errors import EngineError

    names = [n for n in os.environ.get("EZFLOW_DOCUMENT_MODULES", "").split(",") if n in MODULES]
    _load(names)
    _drop_privileges()
    stdin, stdout = sys.stdin.buffer, sys.stdout
    sys.stdout = sys.stderr
    stdout.write('{"ready": true}\n')
    stdout.flush()
    while True:
        line = stdin.readline()
        if not line:
            return
        request = json.loads(line)
        blobs = [_read_exact(stdin, int(size)) for size in request.get("blobs") or []]
        try:
            _limit_cpu(float(request.get("cpu_seconds") or 60))
            answer = {"ok": True, "result": wire.encode(_call(request, blobs))}
        except EngineError as exc:
            answer = {
                "ok": False,
                "error": {"code": exc.code, "template": exc.template, "values": exc.values, "detail": exc.detail},
            }
        except MemoryError:
            answer = {"ok": False, "error": {"code": "document_memory"}}
        except RecursionError:
            answer = {"ok": False, "error": {"code": "document_failed", "detail": "RecursionError"}}
        except Exception as exc:  # a library's own failure on a damaged file: said, not a crash
            answer = {"ok": False, "error": {"code": "document_failed", "detail": f"{type(exc).__name__}: {exc}"[:1000]}}
        del blobs
        try:
            text = json.dumps(answer, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            text = json.dumps({"ok": False, "error": {"code": "document_failed", "detail": f"answer not JSON: {exc}"}})
        except MemoryError:
            text = '{"ok": false, "error": {"code": "document_memory"}}'
        stdout.write(text + "\n")
        stdout.flush()


if __name__ == "__main__":
    main()
