"""Embedded mode with real processes: daphne + a Celery worker on the filesystem broker, no Redis."""

import re

import pytest

from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = pytest.mark.stack


def test_healthz_reports_database_migrations_and_a_live_worker(embedded_stack):
    with embedded_stack.http() as client:
        report = client.get("/healthz").json()
    assert report["status"] == "ok"
    assert report["mode"] == "embedded"
    assert report["checks"]["worker"]["ok"] is True
    assert report["checks"]["migrations"]["pending"] == 0


def test_invitation_email_is_sent_by_the_worker_and_the_link_works(embedded_stack):
    created = signup(embedded_stack, "stackco", "boss@stackco.example", PASSWORD)
    host = "stackco.localhost"
    with embedded_stack.http(host) as client:
        token = client.post("/api/v1/auth/token", json={"email": "boss@stackco.example", "password": PASSWORD}).json()["token"]
        response = client.post(
            "/api/v1/invitations",
            json={"email": "new@stackco.example", "role": "viewer"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
    mail = embedded_stack.read_mail("new@stackco.example")
    link = re.search(r"http://stackco\.localhost:\d+/invite/[^/\s]+/", mail).group(0)
    assert created["url"] in link
    with embedded_stack.http(host) as client:
        page = client.get(link.split(f":{embedded_stack.port}", 1)[1])
        assert page.status_code == 200
        assert "new@stackco.example" in page.text
