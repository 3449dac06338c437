"""Accuracy, speed and memory of the OCR step (apps/documents/ocr.py: Tesseract 5 with Debian's kor and eng models).

Pictures are drawn here with Pillow in the Nanum fonts (the one the product ships and the system's fonts-nanum ones):
Korean and English business text at several sizes, clean and as a "phone photo" (speckles, a 1.5° tilt), and as pages
of a scanned PDF. Accuracy is 1 − character error rate (Levenshtein distance over the text without spaces, so word
spacing does not count). Run with `make bench BENCH=ocr`. BENCH_OCR_LAYOUTS (column,page).
"""

from __future__ import annotations

import io
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

KOREAN = [
    "2026년 하반기 정보보안 교육 안내",
    "모든 직원은 12월 19일까지 교육을 이수해야 합니다.",
    "교육은 온라인으로 진행되며 약 30분이 걸립니다.",
    "문의는 총무팀 김민지 대리에게 해 주시기 바랍니다.",
    "행복마트 강남점 서울특별시 강남구 테헤란로 152",
    "사과 3,000원 우유 2,500원 합계 5,500원",
    "다음주 화요일 오후 3시에 본사 3층 회의실에서 만납니다.",
    "계약기간은 2026년 1월 1일부터 12월 31일까지로 한다.",
]
ENGLISH = [
    "Quarterly report for the finance team",
    "Total amount due: $1,299.99 by March 31, 2027.",
    "Meeting with Kim Minsu at the Seoul office at 3 pm.",
    "Please send the signed contract to legal@example.com",
    "Invoice number INV-2026-0412, VAT included.",
    "Delivery is expected within two business days.",
]
FONTS = {
    "NanumSquare (shipped)": Path(__file__).resolve().parents[1] / "apps/documents/fonts/NanumSquareR.ttf",
    "NanumGothic": Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    "NanumMyeongjo (serif)": Path("/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf"),
}
SIZES = (20, 28, 40)


def draw(lines: list[str], font: Path, size: int, *, photo: bool = False):
    from PIL import Image, ImageDraw, ImageFont

    face = ImageFont.truetype(str(font), size)
    width = max(int(face.getlength(line)) for line in lines) + 2 * size
    image = Image.new("L", (width, int(size * 1.8) * len(lines) + 2 * size), 255)
    pen = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        pen.text((size, size + int(size * 1.8) * index), line, font=face, fill=20)
    if photo:
        rng = random.Random(size)
        for _ in range(image.width * image.height // 400):
            pen.point((rng.randrange(image.width), rng.randrange(image.height)), fill=rng.randrange(80, 200))
        image = image.rotate(1.5, expand=True, fillcolor=255)
    return image


def png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(expected: str, got: str) -> float:
    a, b = "".join(expected.split()), "".join(got.split())
    return max(0.0, 1 - levenshtein(a, b) / max(len(a), 1))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    from bench.common import setup_django

    setup_django()
    before = rss_mb()
    from apps.documents import ocr

    ocr.tesseract()
    layouts = os.environ.get("BENCH_OCR_LAYOUTS", "column,page").split(",")
    fonts = {name: path for name, path in FONTS.items() if path.exists()}
    print(f"Tesseract {ocr.tesseract()}, languages {sorted(ocr.installed_languages(ocr.tesseract()))}")
    print(f"fonts: {', '.join(fonts)}; sizes {SIZES} px; layouts {layouts}\n")

    for layout in layouts:
        print(f"layout={layout}")
        print(f"{'text':8} {'condition':28} {'images':>6} {'accuracy mean':>14} {'min':>6} {'s/image':>8} {'CPU s/image':>12}")
        for text_name, lines, language in (("Korean", KOREAN, "kor+eng"), ("English", ENGLISH, "kor+eng"), ("English", ENGLISH, "eng")):
            for photo in (False, True):
                scores, walls, cpus = [], [], []
                for font in fonts.values():
                    for size in SIZES:
                        data = png(draw(lines, font, size, photo=photo))
                        started, cpu = time.perf_counter(), children_cpu()
                        found = ocr.read(data, language=language, layout=layout)
                        walls.append(time.perf_counter() - started)
                        cpus.append(children_cpu() - cpu)
                        scores.append(accuracy("\n".join(lines), found["text"]))
                condition = ("photo (speckles, 1.5° tilt)" if photo else "clean") + f", {language}"
                print(
                    f"{text_name:8} {condition:28} {len(scores):>6} {statistics.mean(scores):>14.3f} {min(scores):>6.3f} "
                    f"{statistics.median(walls):>8.2f} {statistics.median(cpus):>12.2f}"
                )
        print()

    # A scanned A4 page: the picture of a page at 150 DPI inside a PDF, rendered back at 300 DPI and read.
    from PIL import Image

    page = Image.new("L", (1240, 1754), 255)
    body = draw(KOREAN + ENGLISH, FONTS["NanumSquare (shipped)"], 22)
    page.paste(body, (60, 80))
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, format="PDF", resolution=150)
    scans = []
    for _ in range(3):
        started, cpu = time.perf_counter(), children_cpu()
        found = ocr.read(buffer.getvalue())
        scans.append((time.perf_counter() - started, children_cpu() - cpu, accuracy("\n".join(KOREAN + ENGLISH), found["text"])))
    wall, cpu, score = (statistics.median(values) for values in zip(*scans, strict=True))
    print(f"scanned A4 PDF page (300 DPI render, Korean + English): accuracy {score:.3f}, {wall:.2f} s wall, {cpu:.2f} s CPU per page")

    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest Tesseract process: {peak_child:.0f} MB RSS (limit EZFLOW_OCR_MEMORY_MB address space)")
    print(f"this process: {before:.0f} MB RSS before importing the OCR module, {rss_mb():.0f} MB after all of the above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
