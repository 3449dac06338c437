"""Browser step latency (open + extract on a local page) and the memory a worker needs with a browser open.

A local page server on 127.0.0.1 (allowed the way tests allow it: the loopback test setting in this process and the
host on the organization's allow-list) serves a page with a table and a 5-page paginated table. Through the engine
(LocalHost, no database):
- `browser.extract` (open + read a table), `BENCH_BROWSER_RUNS` times (default 10): p50 / p95 / max, first with a new
  browser per session (web processes), then with the warm browser a worker keeps (a fresh context per session);
- `browser.sequence` open + read 5 pages of a table following "Next";
- two sessions at once (EZFLOW_BROWSER_MAX_PER_WORKER=2), wall time for 2 x 5.
Memory: the worker process's own resident memory (VmRSS) before and after, and while one session holds its browser
open (a page that answers after 3 s), the resident (RSS) and proportional (PSS) memory of every process of the
session (the child, Playwright's driver, Chromium and its helpers), sampled every 0.2 s, the peak printed.

    .venv/bin/python -m bench.browser          (or make bench BENCH=browser)
"""

from __future__ import annotations

import os
import re
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from bench.common import percentile, setup_django

ROWS = 20
PAGES = 5


def _page(number: int) -> bytes:
    rows = "".join(f"<tr><td>{number}-{i}</td><td>지점 {i}</td><td>{i * 1000}</td></tr>" for i in range(ROWS))
    following = f"<a href='/table?page={number + 1}'>Next</a>" if number < PAGES else ""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Report</title></head><body>"
        f"<h1>Daily report</h1><table id='t'><thead><tr><th>No</th><th>Branch</th><th>Amount</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{following}</body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        parsed = urlparse(self.path)
        if parsed.path == "/hold":
            time.sleep(3)
        number = int((parse_qs(parsed.query).get("page") or ["1"])[0])
        body = _page(number)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _rss_kb() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _session_memory() -> tuple[int, int]:
    """(RSS kB, PSS kB) of every process of any browser session on this machine (marked by their environment)."""
    rss = pss = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if b"EZFLOW_BROWSER_SESSION=" not in Path(f"/proc/{entry.name}/environ").read_bytes():
                continue
            rollup = Path(f"/proc/{entry.name}/smaps_rollup").read_text()
        except OSError:
            continue
        rss += int(re.search(r"^Rss:\s+(\d+)", rollup, re.M).group(1))
        pss += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
    return rss, pss


def main() -> None:
    setup_django()
    from django.conf import settings

    from apps.flows.engine.context import LocalHost
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph

    settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = True
    settings.EZFLOW_BROWSER_MAX_PER_WORKER = 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    runs = int(os.environ.get("BENCH_BROWSER_RUNS", "10"))

    def step(step_type: str, **params):
        graph = {
            "nodes": [
                {"id": "s", "type": "trigger.manual", "name": "Start", "parameters": {}},
                {"id": "b", "type": step_type, "name": "Browser", "parameters": params},
            ],
            "edges": [{"source": "s", "target": "b", "source_port": "main", "target_port": "main"}],
        }
        started = time.perf_counter()
        result = Executor(Graph.from_dict(graph), host=LocalHost(http_allow_hosts=("127.0.0.1",))).run(trigger_items=[{}])
        elapsed = (time.perf_counter() - started) * 1000
        assert result.status == "success", (result.error, result.error_detail)
        return elapsed, result

    rss_before = _rss_kb()
    step("browser.extract", url=f"{base}/table", what="extract_table", target="#t")  # warm: imports, disk cache
    times = [step("browser.extract", url=f"{base}/table", what="extract_table", target="#t")[0] for _ in range(runs)]
    print(
        f"browser.extract (open + read a {ROWS}-row table), {runs} runs: p50 {percentile(times, 50):.0f} ms, "
        f"p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms"
    )

    from apps.browser import runner

    runner.IN_WORKER = True  # as in a Celery worker: one warm browser kept, a fresh context per session
    step("browser.extract", url=f"{base}/table", what="extract_table", target="#t")  # starts it
    warm = [step("browser.extract", url=f"{base}/table", what="extract_table", target="#t")[0] for _ in range(runs)]
    print(
        f"browser.extract with a warm browser, {runs} runs: p50 {percentile(warm, 50):.0f} ms, p95 {percentile(warm, 95):.0f} ms, "
        f"max {max(warm):.0f} ms (p50 {percentile(times, 50) / max(percentile(warm, 50), 1):.1f}x faster)"
    )
    rss, pss = _session_memory()
    print(f"an idle warm browser (child + driver + Chromium): RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB")
    runner.POOL.close_all()
    runner.IN_WORKER = False

    pages = [step("browser.sequence", url=f"{base}/table", actions=[{"action": "extract_table", "next_page": "Next"}]) for _ in range(3)]
    assert len(pages[0][1].last_items[0]["table"]) == ROWS * PAGES
    print(f"browser.sequence (open + {PAGES} pages of a table via Next), median of 3: {statistics.median(t for t, _ in pages):.0f} ms")

    started = time.perf_counter()
    pair = [
        threading.Thread(target=lambda: [step("browser.extract", url=f"{base}/table", what="extract_table") for _ in range(5)])
        for _ in range(2)
    ]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join()
    both = time.perf_counter() - started
    print(f"two sessions at once, 5 each: {both:.1f} s for 10 ({10 / both:.2f} sessions/s on {os.cpu_count()} cores)")

    peak = {"rss": 0, "pss": 0}
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            rss, pss = _session_memory()
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)

    sampler = threading.Thread(target=sample)
    sampler.start()
    step("browser.sequence", url=f"{base}/hold", actions=[{"action": "extract_table"}])
    done.set()
    sampler.join()
    rss_after = _rss_kb()
    print(f"worker process: {rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after (the browser runs in child processes)")
    print(f"one open browser session (child + driver + Chromium): peak RSS {peak['rss'] / 1024:.0f} MB, PSS {peak['pss'] / 1024:.0f} MB")
    server.shutdown()


if __name__ == "__main__":
    main()
