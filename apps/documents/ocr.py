"""OCR: the text of images and scanned PDFs, in Korean and English, read by Tesseract.

No package on PyPI ships a Korean text-recognition model inside its wheel (the ONNX OCR packages fetch their Korean
model from a hub on first use, which EZFlow never does), so the engine is Debian's `tesseract-ocr` with its
`tesseract-ocr-kor` and `tesseract-ocr-eng` models, installed on the machine like Chromium for the browser steps.

Each image or page is decoded here (Pillow and PDFium, with the documents' size limits), turned upright, made grey
and re-encoded as PNG; Tesseract only ever reads that PNG, from its standard input, in a child process with limits:
address space, CPU time, no files written, no network (an empty network namespace where the kernel allows), as
`nobody` when we are root. Nothing stays loaded in the worker: a child reads its models (about 6 MB) each time."""

from __future__ import annotations

import functools
import io
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apps.documents import limits
from apps.documents.common import Check, TextBudget, check_size, parse_pages, tick
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.sandbox.runner import network_isolation, sandbox_user

LANGUAGES = {"kor+eng": "kor+eng", "kor": "kor", "eng": "eng"}
# Tesseract's page segmentation modes: how the page is cut into blocks and lines before reading. Its fully automatic
# mode (3) often takes a few Korean lines for vertical text (bench/README.md, ocr): one column (4) is the default.
LAYOUTS = {"column": "4", "page": "3", "block": "6", "sparse": "11", "line": "7"}
DEFAULT_DPI = 300
SMALL_IMAGE_SIDE = 400  # tinier images (a cropped word, a thumbnail) are enlarged twice: Tesseract wants letters 20+ dots tall
OUTPUT_BYTES = 20 * 1024 * 1024  # the text and TSV files Tesseract writes for one page
TEXT_LAYER_MIN_CHARACTERS = 20  # a PDF page with this much text has a text layer and is not a scan


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024
    cpu_seconds: int = 60

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(memory_mb=settings.EZFLOW_OCR_MEMORY_MB, cpu_seconds=settings.EZFLOW_OCR_CPU_SECONDS)


def tesseract() -> str:
    """The Tesseract program, or a translated error saying how to install it."""
    from django.conf import settings

    configured = getattr(settings, "EZFLOW_OCR_TESSERACT", "") or ""
    found = configured if configured and os.access(configured, os.X_OK) else shutil.which("tesseract")
    if not found:
        raise NodeError(
            gettext_noop(
                "Text recognition (OCR) is not installed on this server. An administrator installs Tesseract with "
                "its Korean and English models (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-kor "
                "tesseract-ocr-eng) or sets EZFLOW_OCR_TESSERACT to its path."
            ),
            code="ocr_unavailable",
        )
    return found


@functools.cache
def installed_languages(binary: str) -> frozenset[str]:
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = (listed.stdout or listed.stderr).decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def _check_languages(binary: str, language: str) -> str:
    if language not in LANGUAGES:
        raise NodeError(gettext_noop("Unknown OCR language “%(language)s”."), code="ocr_bad_language", values={"language": str(language)})
    wanted = LANGUAGES[language]
    missing = [code for code in wanted.split("+") if code not in installed_languages(binary)]
    if missing:
        raise NodeError(
            gettext_noop(
                "The OCR model for “%(language)s” is not installed on this server (Debian/Ubuntu: apt-get install "
                "tesseract-ocr-%(language)s)."
            ),
            code="ocr_language_missing",
            values={"language": missing[0]},
        )
    return wanted


# Images and pages -------------------------------------------------------------------------------------------------


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def _prepared(image):
    """Upright, grey, on white, large enough: what Tesseract reads best."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    image = image.convert("L")
    if max(image.size) < SMALL_IMAGE_SIDE:
        image = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    return image


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def pdf_pages(data: bytes, *, pages: Any = "", dpi: int = DEFAULT_DPI, password: str = "", text_layer: bool = True, check: Check = None):
    """(page number, PNG bytes or None, text of the page's text layer) for each chosen page."""
    import pypdfium2 as pdfium

    from apps.documents import pdf

    reader = pdf.open_pdf(data, password=password)  # the same checks and errors as the other PDF steps
    numbers = parse_pages(pages, len(reader.pages))
    document = pdfium.PdfDocument(data, password=password or None)
    try:
        for number in numbers:
            tick(check)
            page = document[number - 1]
            try:
                text = ""
                if text_layer:
                    textpage = page.get_textpage()
                    try:
                        text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
                    finally:
                        textpage.close()
                if len(text.strip()) >= TEXT_LAYER_MIN_CHARACTERS:
                    yield number, None, text
                    continue
                width, height = page.get_size()
                scale = dpi / 72
                pixels = width * scale * height * scale
                if pixels > limits.MAX_IMAGE_PIXELS:  # a poster-sized page: fewer dots per inch rather than refusing it
                    scale *= (limits.MAX_IMAGE_PIXELS / pixels) ** 0.5
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    image = bitmap.to_pil()
                finally:
                    bitmap.close()
                yield number, _png(_prepared(image)), ""
            finally:
                page.close()
    finally:
        document.close()


def image_png(data: bytes) -> bytes:
    from apps.documents.images import open_image

    return _png(_prepared(open_image(data)))


# Tesseract in a limited child process -----------------------------------------------------------------------------


def _command(binary: str, language: str, layout: str) -> tuple[list[str], tuple[int, int] | None]:
    isolation = network_isolation()
    drop_to = sandbox_user()
    if isolation and drop_to and "-r" not in isolation:
        isolation = [*isolation, "-S", str(drop_to[0]), "-G", str(drop_to[1])]  # unshare becomes nobody after -n
        drop_to = None
    command = [*isolation, binary, "stdin", "out", "-l", language, "--psm", LAYOUTS.get(layout, "4"), "txt", "tsv"]
    return command, drop_to


def recognise(png: bytes, *, language: str, layout: str = "column", seconds: float = 60.0, limits_: Limits | None = None) -> dict:
    """{"text", "confidence" (0-1 or None), "words"} of one PNG image."""
    binary = tesseract()
    wanted = _check_languages(binary, language)
    confine_limits = limits_ or Limits.from_settings()
    command, drop_to = _command(binary, wanted, layout)
    memory = confine_limits.memory_mb * 1024 * 1024
    cpu = confine_limits.cpu_seconds

    workdir = tempfile.mkdtemp(prefix="ezflow-ocr-")
    if drop_to or "-S" in command:
        owner = drop_to or sandbox_user()
        os.chown(workdir, *owner)

    def confine():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_BYTES, OUTPUT_BYTES))  # its text and TSV files only
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if drop_to:
            os.setgroups([])
            os.setgid(drop_to[1])
            os.setuid(drop_to[0])

    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_THREAD_LIMIT": "1", "HOME": workdir, "TMPDIR": workdir}
    if os.environ.get("TESSDATA_PREFIX"):
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    wall = max(min(seconds, cpu * 2 + 5), 0.05)
    try:
        try:
            done = subprocess.run(  # noqa: PLW1509  (limits must be set in the child)
                command, input=png, capture_output=True, timeout=wall, env=env, cwd=workdir, preexec_fn=confine, check=False
            )
        except subprocess.TimeoutExpired:
            raise NodeError(
                gettext_noop("Reading the text took longer than %(seconds)s seconds and was stopped."),
                code="ocr_timeout",
                values={"seconds": f"{wall:.0f}"},
            ) from None
        if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise NodeError(
                gettext_noop("Reading the text used more than %(seconds)s seconds of CPU time and was stopped."),
                code="ocr_cpu_limit",
                values={"seconds": str(cpu)},
            )
        try:
            text = Path(workdir, "out.txt").read_text("utf-8", "replace")
            tsv = Path(workdir, "out.tsv").read_text("utf-8", "replace")
        except OSError:
            text = tsv = None
        if done.returncode != 0 or text is None:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise NodeError(
                gettext_noop("Text recognition failed on this image (%(reason)s)."),
                code="ocr_failed",
                values={"reason": lines[-1][:200] if lines else f"exit {done.returncode}"},
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    confidence, words = confidence_of(tsv)
    return {"text": tidy(text), "confidence": confidence, "words": words}


def confidence_of(tsv: str) -> tuple[float | None, int]:
    """The mean confidence (0-1) of the words in Tesseract's TSV, and how many words it read."""
    scores = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            score = float(cells[10])
        except ValueError:
            continue
        if score >= 0:
            scores.append(score)
    return (round(sum(scores) / len(scores) / 100, 3) if scores else None), len(scores)


def tidy(text: str) -> str:
    """Tesseract's text without the form feed it ends a page with and with at most one blank line in a row."""
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


# The whole file ---------------------------------------------------------------------------------------------------


def read(
    data: bytes,
    *,
    language: str = "kor+eng",
    layout: str = "column",
    pages: Any = "",
    dpi: int = DEFAULT_DPI,
    password: str = "",
    text_layer: bool = True,
    check: Check = None,
    seconds_left=None,
) -> dict:
    """{"text", "pages": [{"page", "text", "confidence", "source": "ocr" | "text_layer"}], "confidence"} of an image
    (one page, number 1) or a PDF (the chosen pages; pages that have a text layer keep it when `text_layer`)."""
    check_size(data)
    tesseract()  # say it is missing before decoding anything
    budget = TextBudget()

    def left() -> float:
        return seconds_left() if seconds_left else 600.0

    if is_pdf(data):
        sources = pdf_pages(data, pages=pages, dpi=dpi, password=password, text_layer=text_layer, check=check)
    else:
        sources = iter([(1, image_png(data), "")])
    result_pages = []
    for number, png, text in sources:
        tick(check)
        if png is None:
            result_pages.append({"page": number, "text": budget.take(text), "confidence": None, "source": "text_layer"})
            continue
        read_page = recognise(png, language=language, layout=layout, seconds=left())
        result_pages.append(
            {"page": number, "text": budget.take(read_page["text"]), "confidence": read_page["confidence"], "source": "ocr"}
        )
    scores = [page["confidence"] for page in result_pages if page["confidence"] is not None]
    return {
        "text": "\n\n".join(page["text"] for page in result_pages),
        "pages": result_pages,
        "confidence": round(sum(scores) / len(scores), 3) if scores else None,
    }
