"""Toss Payments steps and the payment event trigger against a local fake of the real API."""

import base64
import json

import pytest
from django.db import connection
from django.utils import translation

from apps.connectors.catalog.toss import signature_valid
from apps.flows.error_text import engine_error_text
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run, WebhookEvent
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.toss import SECRET_KEY, SECURITY_KEY, FakeToss, sign
from tests.flows.engine.helpers import edge, node
from tests.support.webhooks import call_webhook


@pytest.fixture
def toss(base_urls):
    with FakeToss() as fake:
        base_urls(toss=fake.url(""))
        yield fake


@pytest.fixture
def key(organization, owner):
    return credential(organization, owner, "toss_payments", {"secret_key": SECRET_KEY, "webhook_security_key": SECURITY_KEY})


def test_confirm_sends_basic_auth_with_a_trailing_colon_and_an_idempotency_key(organization, toss, key):
    toss.customer_paid("pay_abc", "order-1", 15000)
    result = run_step(
        organization,
        "toss.confirm_payment",
        items=[{"paymentKey": "pay_abc", "orderId": "order-1", "amount": 15000}],
        credential=str(key.pk),
        payment_key="{{ json.paymentKey }}",
        order_id="{{ json.orderId }}",
        amount="{{ json.amount }}",
    )
    assert result.status == "success", result.error
    (item,) = result.last_items
    assert item["payment"]["status"] == "DONE" and item["payment"]["totalAmount"] == 15000 and item["orderId"] == "order-1"
    request = toss.requests[-1]
    assert request["path"] == "/v1/payments/confirm"
    assert json.loads(request["body"]) == {"paymentKey": "pay_abc", "orderId": "order-1", "amount": 15000}
    assert base64.b64decode(request["headers"]["Authorization"].removeprefix("Basic ")) == f"{SECRET_KEY}:".encode()
    assert request["headers"]["Idempotency-Key"].startswith("ezf-")


def test_confirm_errors_in_words(organization, owner, toss, key):
    toss.customer_paid("pay_abc", "order-1", 15000)
    mismatch = run_step(
        organization, "toss.confirm_payment", credential=str(key.pk), payment_key="pay_abc", order_id="order-1", amount="100"
    )
    assert mismatch.error_code == "toss_invalid_request" and "INVALID_REQUEST" in mismatch.error
    assert (
        run_step(
            organization, "toss.confirm_payment", credential=str(key.pk), payment_key="pay_abc", order_id="order-1", amount="15,000"
        ).status
        == "success"
    )
    again = run_step(
        organization, "toss.confirm_payment", credential=str(key.pk), payment_key="pay_abc", order_id="order-1", amount="15000"
    )
    assert again.error_code == "toss_already_processed" and "ALREADY_PROCESSED_PAYMENT" in again.error
    toss.customer_paid("pay_big", "order-2", 20_000_000)
    rejected = run_step(
        organization, "toss.confirm_payment", credential=str(key.pk), payment_key="pay_big", order_id="order-2", amount="20000000"
    )
    assert rejected.error_code == "toss_card_rejected" and "another card" in rejected.error
    wrong = credential(organization, owner, "toss_payments", {"secret_key": "test_sk_wrong"}, name="Wrong")
    refused = run_step(organization, "toss.get_payment", credential=str(wrong.pk), value="pay_abc")
    assert refused.error_code == "toss_unauthorized" and "UNAUTHORIZED_KEY" in refused.error
    with translation.override("ko"):
        assert "개발자센터" in engine_error_text(refused.error, refused.error_args)
    bad_amount = run_step(organization, "toss.confirm_payment", credential=str(key.pk), payment_key="p", order_id="o", amount="-5")
    assert bad_amount.error_code == "bad_amount"


def test_look_up_by_payment_key_or_order_id(organization, toss, key):
    toss.add_payment("pay_1", "order-9", 3000)
    by_key = run_step(organization, "toss.get_payment", credential=str(key.pk), value="pay_1", output_field="found")
    assert by_key.status == "success" and by_key.last_items[0]["found"]["orderId"] == "order-9"
    assert toss.requests[-1]["path"] == "/v1/payments/pay_1" and toss.requests[-1]["method"] == "GET"
    by_order = run_step(organization, "toss.get_payment", credential=str(key.pk), find_by="order_id", value="order-9")
    assert by_order.last_items[0]["payment"]["paymentKey"] == "pay_1"
    assert toss.requests[-1]["path"] == "/v1/payments/orders/order-9"
    missing = run_step(organization, "toss.get_payment", credential=str(key.pk), value="nope")
    assert missing.error_code == "toss_not_found" and "NOT_FOUND_PAYMENT" in missing.error


def test_cancel_in_part_then_the_rest(organization, toss, key):
    toss.add_payment("pay_1", "order-9", 10000)
    part = run_step(
        organization, "toss.cancel_payment", credential=str(key.pk), payment_key="pay_1", cancel_reason="불량", cancel_amount="4000"
    )
    assert part.status == "success", part.error
    assert part.last_items[0]["payment"]["status"] == "PARTIAL_CANCELED" and part.last_items[0]["payment"]["balanceAmount"] == 6000
    request = toss.requests[-1]
    assert request["path"] == "/v1/payments/pay_1/cancel" and json.loads(request["body"]) == {"cancelReason": "불량", "cancelAmount": 4000}
    assert request["headers"]["Idempotency-Key"]
    too_much = run_step(
        organization, "toss.cancel_payment", credential=str(key.pk), payment_key="pay_1", cancel_reason="x", cancel_amount="7000"
    )
    assert too_much.error_code == "toss_not_cancelable_amount"
    rest = run_step(organization, "toss.cancel_payment", credential=str(key.pk), payment_key="pay_1", cancel_reason="전액")
    assert rest.last_items[0]["payment"]["status"] == "CANCELED" and "cancelAmount" not in json.loads(toss.requests[-1]["body"])
    again = run_step(organization, "toss.cancel_payment", credential=str(key.pk), payment_key="pay_1", cancel_reason="전액")
    assert again.error_code == "toss_already_canceled"


def test_test_connection_of_a_toss_key(admin, organization, owner, toss, key):
    assert admin.post(f"/api/v1/credentials/{key.pk}/test", {}, content_type="application/json").json()["ok"] is True
    wrong = credential(organization, owner, "toss_payments", {"secret_key": "test_sk_wrong"}, name="Wrong")
    assert admin.post(f"/api/v1/credentials/{wrong.pk}/test", {}, content_type="application/json").json()["ok"] is False


# ---- the payment event trigger --------------------------------------------------------------------------------


def _flow(organization, key, **trigger):
    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("toss", "toss.payment_event", "Toss", credential=str(key.pk), **trigger),
            node("set", "data.set", "Set", fields=[{"name": "paid", "value": "{{ json.totalAmount }}"}]),
        ],
        "edges": [edge("toss", "set")],
    }
    flow = flow_create(user=None, name="Payments", graph=graph)
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    return flow


def _deliver(organization, flow, event: dict | bytes, **headers):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", body, **headers)
    connection.set_tenant(organization)
    return response


def _status_changed(payment_key="pay_1", order_id="order-9", status="DONE", created_at="2026-12-07T10:00:21.000000"):
    return {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": created_at,
        "data": {"paymentKey": payment_key, "orderId": order_id, "status": status},
    }


def test_a_real_payment_event_starts_one_run_with_the_payment_toss_confirms(organization, toss, key):
    toss.add_payment("pay_1", "order-9", 25000)
    flow = _flow(organization, key)
    response = _deliver(organization, flow, _status_changed())
    assert response.status_code == 200 and response.json()["status"] == "queued"
    (run,) = Run.objects.filter(flow=flow)
    item = run.input_items[0]
    assert item["paymentKey"] == "pay_1" and item["totalAmount"] == 25000 and item["webhook"]["verified_by"] == "lookup"
    assert toss.requests[-1]["path"] == "/v1/payments/pay_1"
    assert SECRET_KEY not in json.dumps(run.input_items)
    # Toss sends it again (no 200 heard, or a replay with another time): still one run.
    for created_at in ("2026-12-07T10:00:21.000000", "2026-12-07T10:09:00.000000"):
        again = _deliver(organization, flow, _status_changed(created_at=created_at))
        assert again.status_code == 200 and again.json() == {"status": "duplicate", "run_id": run.pk}
    assert Run.objects.filter(flow=flow).count() == 1 and WebhookEvent.objects.filter(flow_id=flow.pk).count() == 1


def test_a_forged_or_mismatched_payment_event_starts_nothing(organization, toss, key):
    toss.add_payment("pay_1", "order-9", 25000, status="WAITING_FOR_DEPOSIT")
    flow = _flow(organization, key, statuses=[])
    forged = _deliver(organization, flow, _status_changed(payment_key="pay_made_up"))
    assert forged.status_code == 200 and forged.json()["status"] == "ignored"
    claims_paid = _deliver(organization, flow, _status_changed(status="DONE"))  # Toss says it still waits for the deposit
    assert claims_paid.status_code == 200 and claims_paid.json()["status"] == "ignored"
    other_order = _deliver(organization, flow, _status_changed(order_id="order-1", status="WAITING_FOR_DEPOSIT"))
    assert other_order.json()["status"] == "ignored"
    assert not Run.objects.filter(flow=flow).exists()
    assert _deliver(organization, flow, b"{oops").status_code == 400


def test_statuses_the_flow_does_not_start_on_are_ignored(organization, toss, key):
    toss.add_payment("pay_1", "order-9", 25000, status="CANCELED")
    flow = _flow(organization, key)  # DONE only
    assert _deliver(organization, flow, _status_changed(status="CANCELED")).json()["status"] == "ignored"
    assert not Run.objects.filter(flow=flow).exists()


def test_toss_unreachable_is_a_503_so_toss_sends_the_event_again(organization, toss, key):
    toss.add_payment("pay_1", "order-9", 25000)
    flow = _flow(organization, key)
    toss.next_answers.append((500, {}, {"code": "FAILED_INTERNAL_SYSTEM_PROCESSING", "message": "내부 시스템 처리 작업이 실패했습니다."}))
    assert _deliver(organization, flow, _status_changed()).status_code == 503
    assert not Run.objects.filter(flow=flow).exists()
    assert _deliver(organization, flow, _status_changed()).status_code == 200
    assert Run.objects.filter(flow=flow).count() == 1


def test_signed_payout_events_are_checked_by_their_hmac(organization, toss, key):
    flow = _flow(organization, key)
    body = json.dumps(
        {"eventType": "payout.changed", "createdAt": "2026-12-07T11:00:00", "data": {"payoutId": "FPA_1", "status": "COMPLETED"}}
    ).encode()
    when = "2026-12-07T11:00:01+09:00"
    bad = _deliver(
        organization,
        flow,
        body,
        HTTP_TOSSPAYMENTS_WEBHOOK_SIGNATURE="v1:" + base64.b64encode(b"x" * 32).decode(),
        HTTP_TOSSPAYMENTS_WEBHOOK_TRANSMISSION_TIME=when,
    )
    assert bad.status_code == 401
    unsigned = _deliver(organization, flow, body)
    assert unsigned.status_code == 401
    assert not Run.objects.filter(flow=flow).exists()
    headers = {"HTTP_TOSSPAYMENTS_WEBHOOK_SIGNATURE": sign(body, when), "HTTP_TOSSPAYMENTS_WEBHOOK_TRANSMISSION_TIME": when}
    good = _deliver(organization, flow, body, HTTP_TOSSPAYMENTS_WEBHOOK_TRANSMISSION_ID="tx-1", **headers)
    assert good.status_code == 200, good.content
    (run,) = Run.objects.filter(flow=flow)
    assert run.input_items[0]["data"]["payoutId"] == "FPA_1" and run.input_items[0]["verified_by"] == "signature"
    assert _deliver(organization, flow, body, HTTP_TOSSPAYMENTS_WEBHOOK_TRANSMISSION_ID="tx-1", **headers).json()["status"] == "duplicate"
    assert Run.objects.filter(flow=flow).count() == 1


def test_signature_format():
    body, when = b'{"a":1}', "2026-12-07T11:00:01+09:00"
    good = sign(body, when)
    assert signature_valid(body=body, transmission_time=when, header=good, security_key=SECURITY_KEY)
    assert signature_valid(body=body, transmission_time=when, header=f"v1:AAAA,{good}", security_key=SECURITY_KEY)  # rotation
    assert not signature_valid(body=body, transmission_time="other", header=good, security_key=SECURITY_KEY)
    assert not signature_valid(body=body + b" ", transmission_time=when, header=good, security_key=SECURITY_KEY)
    assert not signature_valid(body=body, transmission_time=when, header=good.replace("v1:", "v0:"), security_key=SECURITY_KEY)
    assert not signature_valid(body=body, transmission_time=when, header=good, security_key="")
