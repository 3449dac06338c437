"""A browser step on a real worker: a webhook call starts a run that logs in to the local portal with the
organization's stored website login (the portal allowed through the organization's internal hosts) and reads every
page of its table, one item per row."""

import json
import shutil
import time

import pytest

from tests.browser.helpers import LOG_IN
from tests.browser.site import PASSWORD, ROWS, USERNAME, Site
from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD as OWNER_PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.stack, pytest.mark.skipif(not shutil.which("/usr/bin/chromium"), reason="needs Debian's chromium")]


def test_a_webhook_run_logs_in_reads_the_table_and_keeps_no_password(embedded_stack):
    signup(embedded_stack, "portalrun", "owner@portalrun.example", OWNER_PASSWORD)
    client = embedded_stack.http("portalrun.localhost")
    token = client.post("/api/v1/auth/token", json={"email": "owner@portalrun.example", "password": OWNER_PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
    login = client.post(
        "/api/v1/credentials", json={"name": "Portal", "type": "website_login", "data": {"username": USERNAME, "password": PASSWORD}}
    )
    assert login.status_code == 201, login.text
    with Site() as portal:
        graph = {
            "nodes": [
                node("hook", "trigger.webhook", "Webhook"),
                node(
                    "portal",
                    "browser.sequence",
                    "Portal",
                    url=portal.url("/login"),
                    credential=login.json()["id"],
                    rows_as_items=True,
                    actions=[*LOG_IN, {"action": "extract_table", "find_by": "css", "target": "#sales", "next_page": "Next"}],
                ),
            ],
            "edges": [edge("hook", "portal")],
        }
        flow = client.post("/api/v1/flows", json={"name": "Daily report", "graph": graph}).json()
        assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code == 201
        assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
        accepted = client.post(flow["webhook_path"], json={})
        assert accepted.status_code == 202, accepted.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            run = client.get(f"/api/v1/runs/{accepted.json()['run_id']}").json()
            if run["status"] in ("success", "failed"):
                break
            time.sleep(0.5)
    assert run["status"] == "success", run
    assert {n["node_id"]: n["items_out"] for n in run["node_runs"]}["portal"] == len(ROWS)
    assert PASSWORD not in json.dumps(run, ensure_ascii=False)
    assert portal.requests[:3] == ["/login", "/login", "/reports"]
