"""A file of an earlier step shared in a Slack channel through the Web API's upload flow (getUploadURLExternal →
upload → completeUploadExternal), against a local fake with Slack's answers."""

import pytest
from django.db import connection
from django.utils import translation

from apps.files.services import file_save
from apps.flows.error_text import engine_error_text
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.slack import TOKEN, FakeSlack


@pytest.fixture
def slack(base_urls):
    with FakeSlack() as fake:
        base_urls(slack=fake.url(""))
        yield fake


@pytest.fixture
def bot(organization, owner):
    return credential(organization, owner, "slack_bot", {"bot_token": TOKEN})


def _stored(organization, data, name):
    connection.set_tenant(organization)
    return file_save(data=data, name=name)


def test_a_file_of_the_item_is_uploaded_and_shared_in_the_channel(organization, slack, bot):
    report = _stored(organization, b"date,amount\n12-08,1000\n", "일일보고.csv")
    result = run_step(
        organization,
        "slack.upload_file",
        credential=str(bot.pk),
        channel_id="C0123ABCD",
        file_field="attachment",
        message="오늘 보고서 {{ json.day }}",
        items=[{"attachment": report, "day": "12-08"}],
    )
    assert result.status == "success", result.error
    [item] = result.last_items
    assert item["slack"] == {"file_id": "F000000001", "title": "일일보고.csv", "channel_id": "C0123ABCD"}
    ticket, upload, complete = slack.requests
    assert ticket["path"] == "/files.getUploadURLExternal" and slack.form(ticket) == {"filename": "일일보고.csv", "length": "23"}
    assert upload["path"] == "/upload/v1/F000000001" and "Authorization" not in upload["headers"]  # the token stays with the API
    assert slack.json_body(complete) == {
        "files": [{"id": "F000000001", "title": "일일보고.csv"}],
        "channel_id": "C0123ABCD",
        "initial_comment": "오늘 보고서 12-08",
    }
    assert slack.shared[0]["contents"] == [b"date,amount\n12-08,1000\n"]


def test_slack_refusals_are_said_in_words(organization, owner, slack, bot):
    report = _stored(organization, b"x", "a.txt")
    unknown = run_step(organization, "slack.upload_file", credential=str(bot.pk), channel_id="C999", items=[{"file": report}])
    assert unknown.status == "failed" and unknown.error_code == "slack_channel_not_found" and "channel ID" in unknown.error
    with translation.override("ko"):
        assert engine_error_text(unknown.error, unknown.error_args) != unknown.error
    wrong = credential(organization, owner, "slack_bot", {"bot_token": "xoxb-0000-0000-wrongtoken"}, name="Wrong")
    refused = run_step(organization, "slack.upload_file", credential=str(wrong.pk), channel_id="C0123ABCD", items=[{"file": report}])
    assert refused.error_code == "slack_unauthorized"
    missing = run_step(organization, "slack.upload_file", credential=str(bot.pk), channel_id="C0123ABCD", items=[{"x": 1}])
    assert missing.error_code == "not_a_file"
