"""The hosted form trigger: the public page built from the step's fields, one run per submission with the typed
answers, validation in the visitor's language, CSRF, honeypot, size and rate limits, thank-you or redirect."""

import re

import pytest
from django.db import connection
from django.test import Client

from apps.connectors.models import FormSubmission
from apps.flows.engine.validation import validate_graph
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from apps.runs.services.runs import run_execute
from tests.flows.engine.helpers import edge, node

FIELDS = [
    {"label": "이름", "type": "text", "required": True, "help": "성과 이름을 적어 주세요."},
    {"label": "Email", "type": "email", "required": True},
    {"label": "Seats", "type": "number", "key": "seats"},
    {"label": "Visit date", "type": "date", "key": "visit_date"},
    {"label": "Plan", "type": "select", "options": "Basic, Pro", "required": True, "key": "plan"},
    {"label": "Message", "type": "long_text", "key": "message"},
    {"label": "I agree to be contacted", "type": "checkbox", "required": True, "key": "agree"},
]


def form_graph(**overrides):
    parameters = {"title": "Workshop sign-up", "description": "Tell us who you are.", "fields": FIELDS, "thank_you": "See you soon!"}
    return {
        "nodes": [
            node("form", "form.submitted", "Form", **{**parameters, **overrides}),
            node("set", "data.set", "Keep", fields=[{"name": "who", "value": "{{ json.이름 }} <{{ json.email }}>"}]),
        ],
        "edges": [edge("form", "set")],
    }


@pytest.fixture
def organization(data):
    return data.create_organization()


def live_form(data, organization, **overrides):
    connection.set_tenant(organization)
    owner = data.owner_of(organization)
    flow = flow_create(user=owner, name="Sign-ups", graph=form_graph(**overrides))
    flow_publish(flow=flow, user=owner, message="v1")
    flow_set_active(flow=flow, active=True)
    return flow


def visitor(organization, **headers) -> Client:
    return Client(HTTP_HOST=organization.host, enforce_csrf_checks=True, **headers)


def token_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


GOOD = {
    "이름": "김지수",
    "email": "jisu@example.com",
    "seats": "3",
    "visit_date": "2025-04-01",
    "plan": "Pro",
    "message": "Line one\r\nLine two",
    "agree": "on",
}


def send(client, flow, answers, **extra):
    page = client.get(f"/forms/{flow.webhook_token}/")
    assert page.status_code == 200
    return client.post(f"/forms/{flow.webhook_token}/", {**answers, "csrfmiddlewaretoken": token_of(page.content.decode()), **extra})


def test_a_submission_starts_one_run_with_the_typed_answers(data, organization):
    flow = live_form(data, organization)
    client = visitor(organization)
    page = client.get(f"/forms/{flow.webhook_token}/").content.decode()
    assert "Workshop sign-up" in page and "성과 이름을 적어 주세요." in page and 'name="website_url"' in page
    answer = send(client, flow, GOOD)
    assert answer.status_code == 200 and "See you soon!" in answer.content.decode()
    connection.set_tenant(organization)
    run = Run.objects.get(flow=flow)
    item = run.input_items[0]
    assert {k: v for k, v in item.items() if k != "submitted_at"} == {
        "이름": "김지수",
        "email": "jisu@example.com",
        "seats": 3,
        "visit_date": "2025-04-01",
        "plan": "Pro",
        "message": "Line one\nLine two",
        "agree": True,
    }
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", item["submitted_at"])
    finished = run_execute(run_id=run.pk)
    assert finished.status == Run.Status.SUCCESS
    assert FormSubmission.objects.filter(flow=flow, run_id=run.pk).count() == 1


def test_wrong_answers_are_shown_on_the_form_in_the_visitors_language(data, organization):
    flow = live_form(data, organization)
    bad = {**GOOD, "email": "not-an-email", "seats": "three", "plan": "Gold", "agree": "", "이름": ""}
    korean = send(visitor(organization, HTTP_ACCEPT_LANGUAGE="ko"), flow, bad)
    text = korean.content.decode()
    assert korean.status_code == 400
    for message in (
        "필수 항목입니다.",
        "숫자를 입력하세요.",
        "보기 중 하나를 선택하세요.",
        "name@example.com",
        "계속하려면 이 칸을 체크하세요.",
    ):
        assert message in text, message
    assert 'value="three"' in text  # what the visitor typed stays
    english = send(visitor(organization, HTTP_ACCEPT_LANGUAGE="en"), flow, bad).content.decode()
    assert "This field is required." in english and "Enter a number." in english
    connection.set_tenant(organization)
    assert not Run.objects.filter(flow=flow).exists()


def test_post_without_the_csrf_token_is_refused(data, organization):
    flow = live_form(data, organization)
    answer = visitor(organization).post(f"/forms/{flow.webhook_token}/", GOOD)
    assert answer.status_code == 403
    connection.set_tenant(organization)
    assert not Run.objects.filter(flow=flow).exists()


def test_a_filled_honeypot_looks_accepted_but_starts_nothing(data, organization):
    flow = live_form(data, organization)
    answer = send(visitor(organization), flow, GOOD, website_url="http://spam.example")
    assert answer.status_code == 200 and "See you soon!" in answer.content.decode()
    connection.set_tenant(organization)
    assert not Run.objects.filter(flow=flow).exists()


def test_too_long_answers_and_bodies_are_refused(data, organization, settings):
    flow = live_form(data, organization)
    answer = send(visitor(organization), flow, {**GOOD, "이름": "가" * 1001})
    assert answer.status_code == 400 and "Write at most 1000 characters." in answer.content.decode()
    settings.EZFLOW_FORM_MAX_BODY_BYTES = 2000
    answer = send(visitor(organization), flow, {**GOOD, "message": "x" * 5000})
    assert answer.status_code == 413
    connection.set_tenant(organization)
    assert not Run.objects.filter(flow=flow).exists()


def test_submissions_are_rate_limited_per_visitor(data, organization, settings):
    settings.EZFLOW_FORM_PER_VISITOR = 2
    flow = live_form(data, organization)
    client = visitor(organization)
    assert send(client, flow, GOOD).status_code == 200
    assert send(client, flow, GOOD).status_code == 200
    third = send(client, flow, GOOD)
    assert third.status_code == 429 and "wait 10 minutes" in third.content.decode()
    other = visitor(organization, REMOTE_ADDR="10.0.0.9")
    assert send(other, flow, GOOD).status_code == 200
    connection.set_tenant(organization)
    assert Run.objects.filter(flow=flow).count() == 3


def test_redirect_after_sending_goes_only_to_the_address_on_the_step(data, organization):
    flow = live_form(data, organization, after="redirect", redirect_url="https://example.com/thanks")
    answer = send(visitor(organization), flow, GOOD, next="https://evil.example/")
    assert answer.status_code == 302 and answer["Location"] == "https://example.com/thanks"


def test_the_form_is_closed_when_the_flow_is_off_unknown_or_in_another_organization(data, organization):
    flow = live_form(data, organization)
    other = data.create_organization()
    assert visitor(other).get(f"/forms/{flow.webhook_token}/").status_code == 404
    assert visitor(organization).get("/forms/nope/").status_code == 404
    connection.set_tenant(organization)
    flow_set_active(flow=flow, active=False)
    closed = visitor(organization, HTTP_ACCEPT_LANGUAGE="ko").get(f"/forms/{flow.webhook_token}/")
    assert closed.status_code == 404 and "이 폼은 열려 있지 않습니다" in closed.content.decode()


def test_a_webhook_call_to_the_flows_token_starts_nothing(data, organization):
    from tests.support.webhooks import call_webhook

    flow = live_form(data, organization)
    answer = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", b'{"robot": true}')
    assert answer.status_code == 404
    connection.set_tenant(organization)
    assert not Run.objects.filter(flow=flow).exists()


def test_the_editor_is_told_what_is_wrong_with_the_form():
    registry = load_builtin_nodes()
    graph = {
        "nodes": [node("form", "form.submitted", "Form", title="T", fields=[{"label": "A", "type": "select"}, {"label": "A"}])],
        "edges": [],
    }
    problems = validate_graph(graph, registry)
    assert {p.code for p in problems} == {"form_definition"}
    from apps.flows.problems import problem_message

    assert {problem_message(p) for p in problems} == {
        "The choice field “A” needs options.",
        "Two fields have the name “a”; give one another name.",
    }
