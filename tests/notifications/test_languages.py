"""Alerts speak the reader's language: email in the recipient's remembered language, API errors in the request's."""

from apps.notifications.services.alerts import alerts_evaluate_run
from tests.notifications.conftest import failure_rule, finished_run


def test_email_is_in_the_recipients_language(organization, owner, flow, mailbox):
    owner.language = "ko"
    owner.save()
    failure_rule(flow, owner, email=True)
    run = finished_run(flow, error="The server did not answer within 5 seconds.")
    run.error_args = {"template": "The server did not answer within %(seconds)s seconds.", "values": {"seconds": "5"}}
    run.save(update_fields=["error_args"])
    alerts_evaluate_run(run_id=run.pk)
    assert mailbox[0].subject == "[EZFlow] “Orders sync” 플로우가 실패했습니다"
    assert "실행 열기" in mailbox[0].body
    assert "5초 안에" in mailbox[0].body, mailbox[0].body  # the run's error too, not the stored English


def test_rule_errors_are_in_the_requests_language(data, organization, flow):
    api = data.editor_api(organization)
    response = api.post(
        f"/api/v1/flows/{flow.pk}/alert-rules", {"threshold": 500}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert response.json()["error"]["fields"]["threshold"][0]["message"] == "1부터 100까지의 정수를 입력하세요."


def test_alerts_name_the_step_as_the_editor_does_and_its_type_by_its_label(data, organization, owner, flow, mailbox):
    """Bell, email and Slack say “Divide” (Set fields), never the step's id `bad` or its type key `data.set`."""
    import json

    from apps.notifications.models import Notification
    from tests.flows.graphs import failing_graph
    from tests.notifications.services.test_delivery import slack_rule
    from tests.support.fake_http import FakeServer

    owner.language = "ko"
    owner.save()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    with FakeServer() as slack:
        slack.routes["/hook"] = lambda request: (200, {}, b"ok")
        slack_rule(flow, owner, slack.url("/hook"), email=True)
        run = finished_run(flow, error="Division by zero", node="bad")
        run.graph = failing_graph()
        run.save(update_fields=["graph"])
        alerts_evaluate_run(run_id=run.pk)
    (request,) = slack.requests
    slack_text = json.loads(request["body"])["text"]
    assert "“Divide” 단계(필드 설정)에서" in slack_text and "“bad”" not in slack_text  # Slack: the rule's author's language
    assert "“Divide” 단계(필드 설정)에서" in mailbox[0].body and "data.set" not in mailbox[0].body
    bell = data.client_for(organization, owner).get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    summary = bell["results"][0]["message"] if "results" in bell else bell[0]["message"]
    assert summary.startswith("At step “Divide” (Set fields):"), summary
    assert Notification.objects.get().details["error_node_name"] == "Divide"
