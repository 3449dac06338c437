"""Throughput of the document functions (apps/documents) in one process, no database.

Prints pages per second for PDF text and table extraction, and rows per second for Excel and CSV read and write.
Run with `make bench BENCH=documents`. BENCH_PDF_PAGES (200), BENCH_ROWS (100000), BENCH_REPEAT (3).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

PAGES = int(os.environ.get("BENCH_PDF_PAGES", "200"))
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))

PARAGRAPH = (
    "2026년 3월 정기 보고서입니다. 매출은 전월 대비 12.5% 늘었고, 신규 고객은 1,240명입니다. "
    "The quarterly figures were reviewed by the finance team and approved on 31 March. "
)


def timed(function) -> tuple[float, float, object]:
    """(median wall seconds, median CPU seconds of this process, result). CPU time is what to compare when other work
    shares the machine: wall time then mostly measures the wait for a core."""
    walls, cpus, result = [], [], None
    for _ in range(REPEAT):
        started, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def line(label: str, count: int, unit: str, wall: float, cpu: float, note: str = "") -> None:
    rates = f"{wall:7.2f} s wall {count / wall:9.0f} {unit}/s   {cpu:7.2f} s CPU {count / cpu:9.0f} {unit}/s"
    print(f"{label:<24} {count:>7} {unit:<5} {rates}  {note}")


def text_pdf(pages: int) -> bytes:
    from fpdf import FPDF

    from apps.documents.pdf_html import FONT_FAMILY, FONTS

    pdf = FPDF()
    pdf.add_font(FONT_FAMILY, "", str(FONTS / "NanumSquareR.ttf"))
    pdf.set_font(FONT_FAMILY, size=10)
    for number in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Page {number + 1}\n" + PARAGRAPH * 14)
    return bytes(pdf.output())


def table_pdf(pages: int) -> bytes:
    from fpdf import FPDF

    from apps.documents.pdf_html import FONT_FAMILY, FONTS

    pdf = FPDF()
    pdf.add_font(FONT_FAMILY, "", str(FONTS / "NanumSquareR.ttf"))
    pdf.set_font(FONT_FAMILY, size=9)
    for number in range(pages):
        pdf.add_page()
        with pdf.table(first_row_as_headings=False) as table:
            table.row(["번호", "품목", "수량", "단가", "금액"])
            for row in range(30):
                table.row([str(number * 30 + row), f"품목 {row}", str(row % 7 + 1), "1,200", f"{(row % 7 + 1) * 1200:,}"])
    return bytes(pdf.output())


def rows(count: int) -> list[dict]:
    start = dt.date(2026, 1, 1)
    return [
        {
            "번호": index,
            "날짜": (start + dt.timedelta(days=index % 365)).isoformat(),
            "고객": f"고객 {index % 997}",
            "품목": ("사과", "배", "감", "귤")[index % 4],
            "수량": index % 13 + 1,
            "단가": 1200.5,
            "메모": "정상 처리",
            "코드": f"A-{index:07d}",
        }
        for index in range(count)
    ]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    import django

    django.setup()
    from apps.documents import csvfile, excel, limits, pdf

    limits.MAX_PAGES = max(limits.MAX_PAGES, PAGES)
    print(f"documents: median of {REPEAT} runs, one process; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    data = text_pdf(PAGES)
    wall, cpu, pages = timed(lambda: pdf.extract_text(data))
    line("PDF text (PDFium)", PAGES, "pages", wall, cpu, f"{len(data) / 1e6:.1f} MB, {sum(len(p['text']) for p in pages):,} chars")
    wall, cpu, _ = timed(lambda: pdf.extract_text(data, layout=True))
    line("PDF text, layout (pypdf)", PAGES, "pages", wall, cpu)
    table_pages = max(PAGES // 10, 1)
    tables = table_pdf(table_pages)
    wall, cpu, found = timed(lambda: pdf.extract_tables(tables))
    line("PDF tables", table_pages, "pages", wall, cpu, f"{len(found)} tables of 31 rows")

    items = rows(ROWS)
    wall, cpu, workbook = timed(lambda: excel.write_workbook(items))
    line("Excel write", ROWS, "rows", wall, cpu, f"8 columns, {len(workbook) / 1e6:.1f} MB")
    wall, cpu, read = timed(lambda: excel.read_sheet(workbook, max_rows=ROWS))
    assert len(read) == ROWS
    line("Excel read", ROWS, "rows", wall, cpu)
    appended = max(ROWS // 10, 1)
    template = excel.write_workbook(items[:10])
    wall, cpu, _ = timed(lambda: excel.append_rows(template, items[:appended]))
    line("Excel append (template)", appended, "rows", wall, cpu)
    wall, cpu, text = timed(lambda: csvfile.write_csv(items))
    line("CSV write", ROWS, "rows", wall, cpu, f"{len(text) / 1e6:.1f} MB")
    wall, cpu, _ = timed(lambda: csvfile.read_csv(text, max_rows=ROWS))
    line("CSV read", ROWS, "rows", wall, cpu)

    # What the steps pay for parsing in a limited child (apps/documents/isolated.py): its start, and the pipe.
    from apps.documents.isolated import Documents

    small = excel.write_workbook(items[:20])

    def started_and_read():
        with Documents(None, "excel") as documents:
            return documents.call("excel.read_sheet", small)

    wall, cpu, _ = timed(started_and_read)
    line("child start + read 20 rows", 1, "steps", wall, cpu, "a step's fixed cost")
    with Documents(None, "excel") as documents:
        documents.call("excel.read_sheet", small)
        wall, cpu, read = timed(lambda: documents.call("excel.read_sheet", workbook, max_rows=ROWS))
    assert len(read) == ROWS
    line("Excel read in the child", ROWS, "rows", wall, cpu, "started child; the parent's CPU only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
