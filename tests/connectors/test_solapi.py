"""Solapi SMS/LMS and AlimTalk steps against a local fake of the real API (HMAC signature, send-many/detail)."""

import hashlib
import hmac
import json

import pytest
from django.utils import translation

from apps.connectors.catalog.solapi import authorization, sms_bytes, template_variables
from apps.flows.error_text import engine_error_text
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.solapi import API_KEY, API_SECRET, PF_ID, FakeSolapi


@pytest.fixture
def solapi(base_urls):
    with FakeSolapi() as fake:
        base_urls(solapi=fake.url(""))
        yield fake


@pytest.fixture
def key(organization, owner):
    return credential(organization, owner, "solapi", {"api_key": API_KEY, "api_secret": API_SECRET})


def _sent(fake):
    return json.loads(fake.path_requests("/messages/v4/send-many/detail")[-1]["body"])["messages"]


def test_the_signature_is_hmac_sha256_of_date_and_salt_in_hex():
    header = authorization("KEY", "SECRET", date="2026-12-08T01:00:00.000Z", salt="abc")
    expected = hmac.new(b"SECRET", b"2026-12-08T01:00:00.000Zabc", hashlib.sha256).hexdigest()
    assert header == f"HMAC-SHA256 apiKey=KEY, date=2026-12-08T01:00:00.000Z, salt=abc, signature={expected}"
    assert authorization("K", "S") != authorization("K", "S")  # a new salt every time


def test_sms_and_lms_chosen_by_length_in_one_signed_call(organization, solapi, key):
    items = [{"phone": "010-1234-5678", "text": "주문이 접수되었습니다."}, {"phone": "01098765432", "text": "가" * 46}]
    result = run_step(
        organization,
        "solapi.send_text",
        items=items,
        credential=str(key.pk),
        sender="02-1234-5678",
        to="{{ json.phone }}",
        text="{{ json.text }}",
        subject="안내",
    )
    assert result.status == "success", result.error
    assert len(solapi.path_requests("/messages/v4/send-many/detail")) == 1
    first, second = _sent(solapi)
    assert first == {"to": "01012345678", "from": "0212345678", "text": "주문이 접수되었습니다.", "type": "SMS"}
    assert second["type"] == "LMS" and second["subject"] == "안내"  # 92 bytes
    out = result.last_items
    assert [o["message"]["sent"] for o in out] == [True, True] and out[0]["message"]["message_id"].startswith("M4V")
    assert out[0]["message"]["group_id"].startswith("G4V") and out[0]["phone"] == "010-1234-5678"
    assert API_SECRET not in json.dumps(out)


def test_sms_only_refuses_long_text_and_bad_numbers_before_sending(organization, solapi, key):
    too_long = run_step(
        organization, "solapi.send_text", credential=str(key.pk), sender="0212345678", to="01012345678", text="가" * 46, message_type="SMS"
    )
    assert too_long.error_code == "sms_too_long" and "92" in too_long.error
    bad = run_step(organization, "solapi.send_text", credential=str(key.pk), sender="0212345678", to="call me", text="hi")
    assert bad.error_code == "bad_phone_number"
    with translation.override("ko"):
        assert "010-1234-5678" in engine_error_text(bad.error, bad.error_args)
    assert not solapi.path_requests("/messages/v4/send-many/detail")


def test_an_unregistered_sender_is_said_in_words(organization, solapi, key):
    refused = run_step(organization, "solapi.send_text", credential=str(key.pk), sender="010-5555-0000", to="01012345678", text="hi")
    assert refused.error_code == "solapi_refused" and "01055550000" in refused.error and "not registered" in refused.error
    with translation.override("ko"):
        assert "발신번호" in engine_error_text(refused.error, refused.error_args)


def test_one_refused_message_does_not_hide_the_others(organization, solapi, key):
    solapi.senders.add("01011112222")
    items = [{"from": "0212345678"}, {"from": "01099990000"}]
    result = run_step(
        organization, "solapi.send_text", items=items, credential=str(key.pk), sender="{{ json.from }}", to="01012345678", text="hi"
    )
    assert result.status == "success"
    ok, refused = result.last_items
    assert ok["message"]["sent"] is True
    assert (
        refused["message"]["sent"] is False and refused["message"]["status_code"] == "1062" and "registered" in refused["message"]["error"]
    )


def test_wrong_secret_and_wrong_key(organization, owner, solapi):
    wrong_secret = credential(organization, owner, "solapi", {"api_key": API_KEY, "api_secret": "nope"}, name="S")
    result = run_step(organization, "solapi.send_text", credential=str(wrong_secret.pk), sender="0212345678", to="01012345678", text="hi")
    assert result.error_code == "solapi_unauthorized" and "SignatureDoesNotMatch" in result.error
    wrong_key = credential(organization, owner, "solapi", {"api_key": "NOPE", "api_secret": API_SECRET}, name="K")
    result = run_step(organization, "solapi.send_text", credential=str(wrong_key.pk), sender="0212345678", to="01012345678", text="hi")
    assert result.error_code == "solapi_unauthorized" and "InvalidAPIKey" in result.error
    with translation.override("ko"):
        assert "솔라피 콘솔" in engine_error_text(result.error, result.error_args) or "Solapi" in engine_error_text(
            result.error, result.error_args
        )


def test_alimtalk_sends_the_template_variables_in_solapis_shape(organization, solapi, key):
    result = run_step(
        organization,
        "solapi.send_alimtalk",
        items=[{"name": "홍길동", "order": "A-1", "phone": "010-1234-5678"}],
        credential=str(key.pk),
        pf_id=PF_ID,
        template_id="TP_ORDER",
        to="{{ json.phone }}",
        variables={"고객명": "{{ json.name }}", "#{주문번호}": "{{ json.order }}"},
    )
    assert result.status == "success", result.error
    (message,) = _sent(solapi)
    assert message == {
        "to": "01012345678",
        "type": "ATA",
        "kakaoOptions": {
            "pfId": PF_ID,
            "templateId": "TP_ORDER",
            "variables": {"#{고객명}": "홍길동", "#{주문번호}": "A-1"},
            "disableSms": True,
        },
    }
    assert result.last_items[0]["message"]["sent"] is True


def test_alimtalk_refusals_in_words(organization, solapi, key):
    missing = run_step(
        organization,
        "solapi.send_alimtalk",
        credential=str(key.pk),
        pf_id=PF_ID,
        template_id="TP_ORDER",
        to="01012345678",
        variables={"고객명": "홍길동"},
    )
    assert missing.error_code == "solapi_refused" and "variables do not match" in missing.error
    unknown = run_step(organization, "solapi.send_alimtalk", credential=str(key.pk), pf_id=PF_ID, template_id="TP_NONE", to="01012345678")
    assert unknown.error_code == "solapi_refused" and "template" in unknown.error
    fallback_without_sender = run_step(
        organization,
        "solapi.send_alimtalk",
        credential=str(key.pk),
        pf_id=PF_ID,
        template_id="TP_ORDER",
        to="01012345678",
        fallback_sms=True,
        variables={"고객명": "a", "주문번호": "b"},
    )
    assert fallback_without_sender.error_code == "missing_value"


def test_test_connection_of_a_solapi_key(admin, organization, owner, solapi, key):
    assert admin.post(f"/api/v1/credentials/{key.pk}/test", {}, content_type="application/json").json()["ok"] is True
    wrong = credential(organization, owner, "solapi", {"api_key": API_KEY, "api_secret": "x"}, name="Wrong")
    assert admin.post(f"/api/v1/credentials/{wrong.pk}/test", {}, content_type="application/json").json()["ok"] is False


def test_helpers():
    assert sms_bytes("abc") == 3 and sms_bytes("가나") == 4 and sms_bytes("가" * 45) == 90
    assert template_variables({"이름": 1, "#{번호}": None, " ": "x"}) == {"#{이름}": "1", "#{번호}": ""}
