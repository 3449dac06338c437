"""Scale-out mode: two daphne processes and two Celery workers sharing real Redis and PostgreSQL."""

import re

import pytest

from tests.support.data import PASSWORD
from tests.support.stack import Stack, signup

pytestmark = [pytest.mark.stack, pytest.mark.scaleout]


@pytest.fixture(scope="module")
def scaleout_stack(redis_url, django_db_setup):
    stack = Stack(mode="scale-out", web_processes=2, workers=2, redis_url=redis_url).start()
    yield stack
    stack.stop()


def test_both_web_processes_are_ready_in_scale_out_mode(scaleout_stack):
    for port in scaleout_stack.ports:
        with scaleout_stack.http(port=port) as client:
            report = client.get("/healthz").json()
        assert report["mode"] == "scale-out"
        assert report["status"] == "ok"


def test_work_submitted_on_either_web_process_is_done_by_a_worker_through_redis(scaleout_stack):
    signup(scaleout_stack, "scaleco", "boss@scaleco.example", PASSWORD)
    first, second = scaleout_stack.ports
    with scaleout_stack.http("scaleco.localhost", port=first) as client:
        token = client.post("/api/v1/auth/token", json={"email": "boss@scaleco.example", "password": PASSWORD}).json()["token"]
    for index, port in enumerate((first, second)):
        with scaleout_stack.http("scaleco.localhost", port=port) as client:
            response = client.post(
                "/api/v1/invitations",
                json={"email": f"p{index}@scaleco.example", "role": "viewer"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
    for index in range(2):
        mail = scaleout_stack.read_mail(f"p{index}@scaleco.example")
        assert re.search(r"http://scaleco\.localhost:\d+/invite/", mail)


def test_a_browser_session_from_one_process_is_valid_on_the_other(scaleout_stack):
    signup(scaleout_stack, "sessco", "boss@sessco.example", PASSWORD)
    first, second = scaleout_stack.ports
    with scaleout_stack.http("sessco.localhost", port=first) as client:
        page = client.get("/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/login/", data={"csrfmiddlewaretoken": csrf, "email": "boss@sessco.example", "password": PASSWORD, "next": "/"}
        )
        assert response.status_code == 302
        cookies = dict(client.cookies)
    with scaleout_stack.http("sessco.localhost", port=second) as client:
        client.cookies.update(cookies)
        assert client.get("/api/v1/me").json()["person"]["email"] == "boss@sessco.example"
