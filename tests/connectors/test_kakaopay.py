"""KakaoPay ready → approve → look up → cancel against a local fake of the real API, through the engine."""

import json

import pytest
from django.utils import translation

from apps.flows.error_text import engine_error_text
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.kakaopay import CID, SECRET_KEY, FakeKakaoPay

READY = {
    "partner_order_id": "order-1",
    "partner_user_id": "user-1",
    "item_name": "초코파이",
    "quantity": 1,
    "total_amount": "2,200",
    "approval_url": "https://shop.example.com/pay/ok",
    "cancel_url": "https://shop.example.com/pay/cancel",
    "fail_url": "https://shop.example.com/pay/fail",
}


@pytest.fixture
def kakaopay(base_urls):
    with FakeKakaoPay() as fake:
        base_urls(kakaopay=fake.url(""))
        yield fake


@pytest.fixture
def key(organization, owner):
    return credential(organization, owner, "kakaopay", {"secret_key": SECRET_KEY, "cid": CID})


def test_ready_approve_look_up_and_cancel(organization, kakaopay, key):
    ready = run_step(organization, "kakaopay.ready", credential=str(key.pk), **READY)
    assert ready.status == "success", ready.error
    prepared = ready.last_items[0]["kakaopay"]
    assert prepared["next_redirect_pc_url"].startswith("https://online-pay.kakao.com/")
    request = kakaopay.requests[-1]
    assert request["path"] == "/online/v1/payment/ready" and request["headers"]["Authorization"] == f"SECRET_KEY {SECRET_KEY}"
    sent = json.loads(request["body"])
    assert sent["cid"] == CID and sent["total_amount"] == 2200 and sent["tax_free_amount"] == 0 and sent["quantity"] == 1

    tid = prepared["tid"]
    common = {"credential": str(key.pk), "tid": tid, "partner_order_id": "order-1", "partner_user_id": "user-1"}
    early = run_step(organization, "kakaopay.approve", pg_token="pg-x", **common)
    assert early.error_code == "kakaopay_not_authenticated" and "-701" in early.error
    token = kakaopay.customer_paid(tid)
    approved = run_step(organization, "kakaopay.approve", pg_token=token, **common)
    assert approved.status == "success", approved.error
    assert approved.last_items[0]["kakaopay"]["amount"]["total"] == 2200
    again = run_step(organization, "kakaopay.approve", pg_token=token, **common)
    assert again.error_code == "kakaopay_already_approved"

    order = run_step(organization, "kakaopay.order", credential=str(key.pk), tid=tid, output_field="order")
    assert order.last_items[0]["order"]["status"] == "SUCCESS_PAYMENT"
    too_much = run_step(organization, "kakaopay.cancel", credential=str(key.pk), tid=tid, cancel_amount="5000")
    assert too_much.error_code == "kakaopay_not_cancelable_amount" and "-710" in too_much.error
    part = run_step(organization, "kakaopay.cancel", credential=str(key.pk), tid=tid, cancel_amount="200")
    assert part.last_items[0]["kakaopay"]["status"] == "PART_CANCEL_PAYMENT"
    assert part.last_items[0]["kakaopay"]["cancel_available_amount"]["total"] == 2000


def test_kakaopay_errors_in_words(organization, owner, kakaopay, key):
    missing = run_step(organization, "kakaopay.order", credential=str(key.pk), tid="T0000")
    assert missing.error_code == "kakaopay_not_found" and "-721" in missing.error
    wrong = credential(organization, owner, "kakaopay", {"secret_key": "DEVwrong", "cid": CID}, name="Wrong")
    refused = run_step(organization, "kakaopay.order", credential=str(wrong.pk), tid="T0000")
    assert refused.error_code == "kakaopay_unauthorized" and "developers.kakaopay.com" in refused.error
    with translation.override("ko"):
        assert "개발자센터" in engine_error_text(refused.error, refused.error_args)
    big = run_step(organization, "kakaopay.ready", credential=str(key.pk), **{**READY, "total_amount": "6000000"})
    tid = big.last_items[0]["kakaopay"]["tid"]
    token = kakaopay.customer_paid(tid)
    failed = run_step(
        organization,
        "kakaopay.approve",
        credential=str(key.pk),
        tid=tid,
        partner_order_id="order-1",
        partner_user_id="user-1",
        pg_token=token,
    )
    assert failed.error_code == "kakaopay_approval_failed" and "한도초과" in failed.error
    bad = run_step(organization, "kakaopay.ready", credential=str(key.pk), **{**READY, "total_amount": "lots"})
    assert bad.error_code == "bad_amount"
