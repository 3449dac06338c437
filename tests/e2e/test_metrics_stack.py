"""One scrape of a web process sees what the worker process did (multiprocess metrics)."""

import re
import time

import pytest

from tests.support.data import PASSWORD
from tests.support.stack import METRICS_TOKEN, signup

pytestmark = pytest.mark.stack


def test_worker_runs_show_up_in_the_web_process_metrics(embedded_stack):
    signup(embedded_stack, "metrics-live", "owner@metrics-live.example", PASSWORD)
    client = embedded_stack.http("metrics-live.localhost")
    token = client.post("/api/v1/auth/token", json={"email": "owner@metrics-live.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    graph = {"nodes": [{"id": "start", "type": "trigger.manual", "name": "Start"}], "edges": []}
    flow = client.post("/api/v1/flows", json={"name": "Metered", "graph": graph}).json()
    client.post(f"/api/v1/flows/{flow['id']}/publish", json={})
    run = client.post(f"/api/v1/flows/{flow['id']}/run", json={}).json()
    deadline = time.monotonic() + 30
    while client.get(f"/api/v1/runs/{run['id']}").json()["status"] != "success" and time.monotonic() < deadline:
        time.sleep(0.2)
    with embedded_stack.http("127.0.0.1") as scraper:
        assert scraper.get("/metrics").status_code == 401
        text = scraper.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    finished = re.search(r'ezflow_runs_finished_total\{status="success"\} ([0-9.]+)', text)
    assert finished and float(finished.group(1)) >= 1, text[:2000]
