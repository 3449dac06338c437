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
