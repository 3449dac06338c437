from datetime import timedelta

from django.test import Client
from django.utils import timezone

from apps.core.models import WorkerHeartbeat
from apps.core.worker import record_heartbeat


def test_healthz_is_503_without_a_live_worker(db):
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "pending": 0, "organizations_current": True}
    assert body["checks"]["worker"]["ok"] is False


def test_healthz_is_200_with_a_fresh_heartbeat_and_503_when_it_goes_stale(db):
    record_heartbeat("celery@test")
    assert Client(HTTP_HOST="localhost").get("/healthz").status_code == 200
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(minutes=5))
    assert Client(HTTP_HOST="localhost").get("/healthz").status_code == 503


def test_healthz_answers_on_any_host(db):
    record_heartbeat("celery@test")
    for host in ("localhost", "127.0.0.1", "unknown-org.localhost"):
        assert Client(HTTP_HOST=host).get("/healthz").status_code == 200, host


def test_api_404_is_json_and_pages_404_are_html(data):
    organization = data.create_organization(slug="nf-co")
    client = data.client_for(organization, data.owner_of(organization))
    api = client.get("/api/v1/does-not-exist")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    page = client.get("/does-not-exist/")
    assert page.status_code == 404 and b"<html" in page.content


def test_healthz_is_503_until_organization_schemas_are_migrated(db):
    from apps.core.models import PlatformState

    record_heartbeat("celery@test")
    PlatformState.objects.filter(key="tenant_migrations").update(value="fingerprint of older code")
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["organizations_current"] is False
