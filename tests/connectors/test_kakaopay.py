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


# ---- the payment result trigger -------------------------------------------------------------------------------


def _result_flow(organization, key, **trigger):
    from django.db import connection

    from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
    from tests.flows.engine.helpers import edge, node

    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("pay", "kakaopay.payment_result", "KakaoPay", credential=str(key.pk), **trigger),
            node("set", "data.set", "Set", fields=[{"name": "paid", "value": "{{ json.amount.total }}"}]),
        ],
        "edges": [edge("pay", "set")],
    }
    flow = flow_create(user=None, name="KakaoPay results", graph=graph)
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    return flow


def _call(organization, flow, query="", body=b"", method="GET"):
    from django.db import connection

    from tests.support.webhooks import call_webhook

    response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}{query}", body, method=method)
    connection.set_tenant(organization)
    return response


def _approved(organization, kakaopay, key, order_id="order-1"):
    ready = run_step(organization, "kakaopay.ready", credential=str(key.pk), **{**READY, "partner_order_id": order_id})
    tid = ready.last_items[0]["kakaopay"]["tid"]
    token = kakaopay.customer_paid(tid)
    common = {"credential": str(key.pk), "tid": tid, "partner_order_id": order_id, "partner_user_id": "user-1"}
    assert run_step(organization, "kakaopay.approve", pg_token=token, **common).status == "success"
    return tid


def test_a_payment_result_starts_one_run_with_the_order_kakaopay_confirms(organization, kakaopay, key):
    from apps.runs.models import Run, WebhookEvent

    tid = _approved(organization, kakaopay, key)
    flow = _result_flow(organization, key)
    response = _call(organization, flow, f"?tid={tid}&pg_token=pg-{tid}")
    assert response.status_code == 200, response.content
    (run,) = Run.objects.filter(flow=flow)
    item = run.input_items[0]
    assert item["status"] == "SUCCESS_PAYMENT" and item["amount"]["total"] == 2200 and item["verified_by"] == "lookup"
    assert json.loads(kakaopay.requests[-1]["body"]) == {"cid": CID, "tid": tid}
    assert SECRET_KEY not in json.dumps(run.input_items)
    # The browser reloads the page, or the shop posts it again: still one run.
    assert _call(organization, flow, f"?tid={tid}").json() == {"status": "duplicate", "run_id": run.pk}
    posted = _call(organization, flow, body=json.dumps({"tid": tid}).encode(), method="POST")
    assert posted.json()["status"] == "duplicate"
    assert Run.objects.filter(flow=flow).count() == 1 and WebhookEvent.objects.filter(flow_id=flow.pk).count() == 1


def test_made_up_unpaid_or_unwanted_results_start_nothing(organization, kakaopay, key):
    from apps.runs.models import Run

    flow = _result_flow(organization, key)
    assert _call(organization, flow, "?tid=T9999").json()["status"] == "ignored"  # KakaoPay: -721
    assert _call(organization, flow, "").json()["status"] == "ignored"
    ready = run_step(organization, "kakaopay.ready", credential=str(key.pk), **READY)
    unpaid = ready.last_items[0]["kakaopay"]["tid"]
    assert _call(organization, flow, f"?tid={unpaid}&pg_token=forged").json()["status"] == "ignored"  # still READY
    assert not Run.objects.filter(flow=flow).exists()


def test_a_cancellation_is_a_new_event_when_the_flow_wants_it(organization, kakaopay, key):
    from apps.runs.models import Run

    tid = _approved(organization, kakaopay, key)
    flow = _result_flow(organization, key, statuses=["SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT"])
    assert _call(organization, flow, f"?tid={tid}").status_code == 200
    assert run_step(organization, "kakaopay.cancel", credential=str(key.pk), tid=tid, cancel_amount="200").status == "success"
    assert _call(organization, flow, f"?tid={tid}").status_code == 200
    assert _call(organization, flow, f"?tid={tid}").json()["status"] == "duplicate"
    assert [r.input_items[0]["status"] for r in Run.objects.filter(flow=flow).order_by("pk")] == ["SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT"]


def test_kakaopay_unreachable_is_a_503(organization, kakaopay, key):
    from apps.runs.models import Run

    tid = _approved(organization, kakaopay, key)
    flow = _result_flow(organization, key)
    kakaopay.next_answers.append((500, {}, {"error_code": -9798, "error_message": "service unavailable"}))
    assert _call(organization, flow, f"?tid={tid}").status_code == 503
    assert not Run.objects.filter(flow=flow).exists()
    assert _call(organization, flow, f"?tid={tid}").status_code == 200
