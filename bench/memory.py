"""Idle memory of `make run`: the launcher and every process it started, resident (RSS) and proportional (PSS).

Starts `python -m ezflow_site.launcher run` with its own data folder (its own embedded PostgreSQL), waits for
/healthz to answer 200 and for the processes to settle, then reads /proc/<pid>/smaps_rollup of the whole tree
(the PostgreSQL server daemonizes, so its processes are found by their data folder and counted separately).
PSS shares each page among the processes mapping it, so the PSS total is what the tree really costs; RSS counts
pages shared after a fork once per process. `BENCH_SETTLE_SECONDS` (default 20) is the idle time before reading.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
import psutil

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rollup(pid: int) -> dict[str, int]:
    """Rss and Pss in kB from smaps_rollup (0 for a process that went away)."""
    values = {"Rss": 0, "Pss": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return values


def describe(process: psutil.Process) -> str:
    try:
        cmdline = process.cmdline()
    except psutil.Error:
        return "?"
    text = " ".join(part.rsplit("/", 1)[-1] for part in cmdline[:6])
    return text[:70]


def measure(processes: list[psutil.Process]) -> tuple[list[tuple[int, str, dict]], int, int]:
    rows = [(p.pid, describe(p), rollup(p.pid)) for p in processes]
    return rows, sum(r[2]["Rss"] for r in rows), sum(r[2]["Pss"] for r in rows)


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and any(str(pgdata) in part for part in proc.info["cmdline"] or []):
            found.extend([proc, *proc.children(recursive=True)])
    return found


def print_table(title: str, rows, rss: int, pss: int) -> None:
    print(f"\n{title}")
    print(f"{'pid':>8} {'RSS MB':>8} {'PSS MB':>8}  process")
    for pid, name, values in sorted(rows, key=lambda r: -r[2]["Pss"]):
        print(f"{pid:>8} {values['Rss'] / 1024:>8.1f} {values['Pss'] / 1024:>8.1f}  {name}")
    print(f"{'total':>8} {rss / 1024:>8.1f} {pss / 1024:>8.1f}  ({len(rows)} processes)")


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    settle = float(os.environ.get("BENCH_SETTLE_SECONDS", "20"))
    base = Path(tempfile.mkdtemp(prefix="ezflow-memory-", dir=os.environ.get("BENCH_TMP") or None))
    data_dir = base / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "XDG_RUNTIME_DIR", "PROMETHEUS_MULTIPROC_DIR"}}
    env.update(EZFLOW_DATA_DIR=str(data_dir), EZFLOW_PORT=str(port))
    log_path = base / "launcher.log"
    with open(log_path, "wb") as log:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "ezflow_site.launcher", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            if launcher.poll() is not None or time.monotonic() > deadline:
                print(log_path.read_text(errors="replace")[-4000:])
                return 1
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            time.sleep(0.5)
        print(f"healthy; idle for {settle:.0f}s before measuring")
        time.sleep(settle)
        root = psutil.Process(launcher.pid)
        tree = [root, *root.children(recursive=True)]
        rows, rss, pss = measure(tree)
        print_table("launcher tree (web, worker, beat)", rows, rss, pss)
        pg_rows, pg_rss, pg_pss = measure(postgres_processes(data_dir / "pg"))
        print_table("embedded PostgreSQL", pg_rows, pg_rss, pg_pss)
        print(f"\nidle total: RSS {(rss + pg_rss) / 1024:.0f} MB, PSS {(pss + pg_pss) / 1024:.0f} MB")
        print(f"application processes only: RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB")
        tracebacks = log_path.read_text(errors="replace").count("Traceback")
        print(f"tracebacks in the launcher's output: {tracebacks}")
        if tracebacks:
            print(log_path.read_text(errors="replace")[-6000:])
        return 0
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                launcher.kill()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
