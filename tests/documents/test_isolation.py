"""Documents are parsed in a limited child process (apps/documents/isolated.py): a hostile file costs that process
its memory or time limit and the step fails with a clear error, while the worker (this process) stays as it was and
the next document is read normally."""

from __future__ import annotations

import os
import resource
import time

import pytest
from django.utils import translation

from apps.documents.isolated import Documents
from apps.flows.engine.context import LocalHost
from apps.flows.error_text import engine_error_text
from tests.documents import bombs, builders
from tests.documents.test_excel_csv import SALES, workbook
from tests.documents.test_steps import flow, stored


@pytest.fixture
def tight(settings):
    settings.EZFLOW_DOCUMENTS_MEMORY_MB = 400
    settings.EZFLOW_DOCUMENTS_WALL_SECONDS = 60.0  # memory, not time, must stop the bombs (a loaded machine is slow)
    return settings


def _children() -> list[int]:
    """Live document child processes started by this process."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if parent == os.getpid() and b"documents/child.py" in command:
            found.append(int(pid))
    return found


def _korean(result) -> str:
    with translation.override("ko"):
        return engine_error_text(result.error, result.error_args)


def _still_healthy(host) -> None:
    result, rows = flow(host, [{"file": stored(host, workbook(SALES), "ok.xlsx")}], ("documents.excel_read", {}))
    assert result.status == "success", result.error
    assert len(rows) == 2
    assert _children() == []


def _grew_by_mb(before: int) -> float:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def test_a_workbook_that_unpacks_into_hundreds_of_megabytes_hits_the_childs_memory_limit(tight):
    host = LocalHost()
    bomb = stored(host, bombs.xlsx_memory_bomb(), "bomb.xlsx")  # ~1 MB; passes the zip-ratio and size checks
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, _ = flow(host, [{"file": bomb}], ("documents.excel_read", {}))
    assert result.status == "failed" and result.error_code == "document_memory", result.error
    assert "400 MB" in result.error and "400 MB" in _korean(result) and _korean(result) != result.error
    assert _grew_by_mb(before) < 100  # the 120 MB of text and its items were built in the child, not here
    _still_healthy(host)


def test_a_classic_zip_bomb_is_refused_before_it_is_unpacked(tight):
    host = LocalHost()
    result, _ = flow(host, [{"file": stored(host, bombs.xlsx_zip_bomb(), "bomb.xlsx")}], ("documents.excel_read", {}))
    assert result.status == "failed" and result.error_code == "zip_bomb"
    _still_healthy(host)


def test_an_image_that_decodes_into_hundreds_of_megabytes_hits_the_childs_memory_limit(tight):
    host = LocalHost()
    picture = stored(host, bombs.png_decompression_bomb(), "bomb.png")  # 49 million pixels: under the pixel check
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, _ = flow(host, [{"file": picture}], ("documents.image_resize", {"width": 100}))
    assert result.status == "failed" and result.error_code == "document_memory", result.error
    assert _grew_by_mb(before) < 100
    _still_healthy(host)


def test_a_pdf_that_never_ends_is_stopped_at_the_wall_clock_limit(tight):
    tight.EZFLOW_DOCUMENTS_WALL_SECONDS = 6.0
    host = LocalHost()
    endless = stored(host, bombs.pdf_endless(), "endless.pdf")
    started = time.monotonic()
    result, _ = flow(host, [{"file": endless}], ("documents.pdf_tables", {}))
    elapsed = time.monotonic() - started
    assert result.status == "failed" and result.error_code == "document_timeout", result.error
    assert "6 seconds" in result.error and _korean(result) != result.error
    assert elapsed < 30
    _still_healthy(host)


def test_the_steps_own_timeout_also_stops_the_child(settings):
    host = LocalHost()
    endless = stored(host, bombs.pdf_endless(), "endless.pdf")
    started = time.monotonic()
    result, _ = flow(host, [{"file": endless}], ("documents.pdf_tables", {"settings": {"timeout_seconds": 3}}))
    assert result.status == "failed" and result.error_code in ("document_timeout", "timeout"), result.error
    assert time.monotonic() - started < 30
    assert _children() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the child drops privileges only when the worker runs as root")
def test_the_child_runs_as_nobody_without_network_when_the_worker_is_root():
    with Documents(None, "pdf") as documents:
        assert documents.call("pdf.page_count", builders.pdf_pages(["a", "b"])) == 2
        pid = documents._child.process.pid
        with open(f"/proc/{pid}/status") as status:
            uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
        assert set(uids) == {"65534"}
        with open(f"/proc/{pid}/net/dev") as dev:
            names = {line.split(":")[0].strip() for line in dev.readlines()[2:]}
        assert names <= {"lo"}  # an empty network namespace: no interface but its own loopback
    assert _children() == []
