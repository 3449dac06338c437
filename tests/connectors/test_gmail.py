"""Gmail send and search against a local fake of the Gmail API, through the engine."""

import json

import pytest
from django.db import connection

from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.google import CLIENT_ID, CLIENT_SECRET, FakeGoogle


@pytest.fixture
def google(base_urls):
    with FakeGoogle() as fake:
        base_urls(google_auth=fake.url(""), google_oauth2=fake.url(""), gmail=fake.url(""))
        yield fake


@pytest.fixture
def gmail_credential(organization, owner, google):
    token = "ya29.fake-access"
    google.oauth.access_tokens[token] = 4102444800.0
    google.oauth.refresh_tokens.add("1//fake-refresh")
    tokens = {"access_token": token, "refresh_token": "1//fake-refresh", "token_type": "Bearer", "expires_at": 4102444800}
    return credential(organization, owner, "gmail", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, tokens=tokens).pk


def test_an_email_is_sent_as_a_base64url_rfc822_message(organization, google, gmail_credential):
    result = run_step(
        organization,
        "gmail.send",
        [{"name": "김민지", "email": "minji@example.com"}],
        credential=str(gmail_credential),
        to="{{ json.name }} <{{ json.email }}>",
        cc="team@example.com",
        subject="주문 확인 {{ json.name }}님",
        body="<p>안녕하세요<br>주문이 접수되었습니다.</p>",
        html=True,
    )
    assert result.status == "success", result.error
    assert result.last_items[0]["gmail"]["sent"] is True and result.last_items[0]["gmail"]["id"]
    request = google.path_requests("/gmail/v1/users/me/messages/send")[0]
    assert request["headers"]["Authorization"] == "Bearer ya29.fake-access"
    message = google.sent[0]
    assert message["To"] == "김민지 <minji@example.com>" and message["Cc"] == "team@example.com"
    assert message["Subject"] == "주문 확인 김민지님"
    assert message.get_body(("plain",)).get_content().strip() == "안녕하세요\n주문이 접수되었습니다."
    assert "<br>" in message.get_body(("html",)).get_content()


def test_bad_addresses_and_header_injection_are_refused_before_sending(organization, google, gmail_credential):
    bad = run_step(organization, "gmail.send", credential=str(gmail_credential), to="not an address", subject="x")
    assert bad.status == "failed" and bad.error_code == "bad_address" and "not an address" in bad.error
    injected = run_step(
        organization, "gmail.send", credential=str(gmail_credential), to="a@example.com", subject="hi\nBcc: victim@example.com"
    )
    assert injected.status == "failed" and injected.error_code == "bad_header"
    assert google.sent == []


def test_messages_matching_a_search_are_read_with_their_text(organization, google, gmail_credential):
    google.receive(sender="Boss <boss@company.com>", subject="회의 일정", text="내일 10시 회의입니다.", html="<b>내일 10시</b>")
    google.receive(sender="news@shop.example", subject="세일", text="할인")
    result = run_step(organization, "gmail.list_messages", credential=str(gmail_credential), query="from:boss@company.com is:unread")
    assert result.status == "success", result.error
    [message] = result.last_items
    assert message["from"] == "Boss <boss@company.com>" and message["subject"] == "회의 일정"
    assert message["text"] == "내일 10시 회의입니다." and message["html"] == "<b>내일 10시</b>"
    assert message["date"] == "2026-12-07T09:30:00+09:00" and "UNREAD" in message["labels"]
    listed = google.path_requests("/gmail/v1/users/me/messages")[0]
    assert listed["query"] == {"q": "from:boss@company.com is:unread", "maxResults": "10"}
    assert google.requests[-1]["query"] == {"format": "full"}

    connection.set_tenant(organization)
    google.expire_access_tokens()
    renewed = run_step(organization, "gmail.list_messages", credential=str(gmail_credential), max_results=1)
    assert renewed.status == "success", renewed.error
    assert [m["subject"] for m in renewed.last_items] == ["세일"]
    assert google.oauth.token_requests[-1]["grant_type"] == "refresh_token"


def test_labels_are_listed_and_added_or_removed_by_name(organization, google, gmail_credential):
    google.receive(sender="shop@example.com", subject="주문 접수", text="A-1")
    listed = run_step(organization, "gmail.list_labels", credential=str(gmail_credential))
    assert {"id": "Label_12", "name": "주문", "type": "user"} in listed.last_items
    result = run_step(
        organization,
        "gmail.modify_labels",
        [{"id": "msg0001"}],
        credential=str(gmail_credential),
        add=["주문", "starred"],
        remove=["UNREAD"],
    )
    assert result.status == "success", result.error
    assert result.last_items[0]["labels"] == ["INBOX", "Label_12", "STARRED"]
    request = google.requests[-1]
    assert request["path"] == "/gmail/v1/users/me/messages/msg0001/modify"
    assert json.loads(request["body"]) == {"addLabelIds": ["Label_12", "STARRED"], "removeLabelIds": ["UNREAD"]}
    unknown = run_step(organization, "gmail.modify_labels", [{"id": "msg0001"}], credential=str(gmail_credential), add=["영수증"])
    assert unknown.error_code == "gmail_label_not_found" and "주문" in unknown.error
    google.granted_modify = False
    refused = run_step(organization, "gmail.modify_labels", [{"id": "msg0001"}], credential=str(gmail_credential), add=["주문"])
    assert refused.status == "failed" and refused.error_code != "gmail_label_not_found"


def test_the_new_email_trigger_starts_once_per_email_even_after_a_restart(organization, google, gmail_credential):
    from apps.flows.host import FlowHost
    from apps.flows.nodes.registry import registry
    from apps.flows.triggers.polling import PollingTriggerKind

    google.receive(sender="old@example.com", subject="이전 메일", text="old")
    trigger, kind = registry.get("gmail.new_email"), PollingTriggerKind()
    parameters = {"credential": str(gmail_credential), "query": "from:shop", "interval_minutes": 5}
    assert kind.validate({"parameters": parameters}) == []

    def poll(state):
        host = FlowHost(organization=organization)  # a new host each time, as after a restart: only the state carries over
        fresh, new_state = kind.new_items(trigger.poll(parameters, state, host), state, trigger.dedupe_key)
        return fresh, json.loads(json.dumps(new_state))  # stored as JSON

    google.receive(sender="shop@example.com", subject="주문 1", text="A-1")
    first, state = poll({})
    assert first == []  # what is there when the flow is switched on does not start it
    google.receive(sender="shop@example.com", subject="주문 2", text="A-2")
    google.receive(sender="other@example.com", subject="광고", text="x")
    google.receive(sender="shop@example.com", subject="주문 3", text="A-3")
    fresh, state = poll(state)
    assert [i["subject"] for i in fresh] == ["주문 2", "주문 3"] and fresh[0]["text"] == "A-2" and fresh[0]["from"] == "shop@example.com"
    reads = len(google.path_requests("/gmail/v1/users/me/messages/msg0003"))
    again, state = poll(state)
    assert again == [] and len(google.path_requests("/gmail/v1/users/me/messages/msg0003")) == reads  # not read again
