"""NaverPay approve → look up → cancel against a local fake of the real API, through the engine."""

import pytest

from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.naverpay import CHAIN_ID, CLIENT_ID, CLIENT_SECRET, PARTNER, PREFIX, FakeNaverPay


@pytest.fixture
def naverpay(base_urls):
    with FakeNaverPay() as fake:
        base_urls(naverpay=fake.url(""))
        yield fake


@pytest.fixture
def shop(organization, owner):
    data = {"partner_id": PARTNER, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "chain_id": CHAIN_ID}
    return credential(organization, owner, "naverpay", data)


def test_approve_look_up_and_cancel(organization, naverpay, shop):
    naverpay.customer_paid("20261207NP1", 33000)
    approved = run_step(organization, "naverpay.approve", credential=str(shop.pk), payment_id="20261207NP1")
    assert approved.status == "success", approved.error
    assert approved.last_items[0]["naverpay"]["detail"]["admissionState"] == "SUCCESS"
    request = naverpay.requests[-1]
    assert request["path"] == f"{PREFIX}/v2.2/apply/payment" and request["headers"]["X-NaverPay-Chain-Id"] == CHAIN_ID
    assert request["headers"]["X-NaverPay-Idempotency-Key"]
    again = run_step(organization, "naverpay.approve", credential=str(shop.pk), payment_id="20261207NP1")
    assert again.error_code == "naverpay_already_approved" and "AlreadyComplete" in again.error  # refused with HTTP 200
    history = run_step(organization, "naverpay.get_payment", credential=str(shop.pk), payment_id="20261207NP1")
    assert history.last_items[0]["naverpay"]["list"][0]["totalPayAmount"] == 33000
    params = {"credential": str(shop.pk), "payment_id": "20261207NP1", "cancel_reason": "고객 요청"}
    cancel = run_step(organization, "naverpay.cancel", cancel_amount="3,000", tax_scope_amount="3000", **params)
    assert cancel.status == "success", cancel.error
    assert cancel.last_items[0]["naverpay"]["totalRestAmount"] == 30000
    too_much = run_step(organization, "naverpay.cancel", cancel_amount="40000", tax_scope_amount="40000", **params)
    assert too_much.error_code == "naverpay_not_cancelable_amount"
    mismatch = run_step(organization, "naverpay.cancel", cancel_amount="100", tax_scope_amount="50", **params)
    assert mismatch.error_code == "bad_amount"


def test_naverpay_errors_in_words(organization, owner, naverpay):
    wrong_chain = credential(
        organization, owner, "naverpay", {"partner_id": PARTNER, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "chain_id": "x"}
    )
    refused = run_step(organization, "naverpay.approve", credential=str(wrong_chain.pk), payment_id="p")
    assert refused.error_code == "naverpay_unauthorized" and "InvalidMerchant" in refused.error
    wrong_secret = credential(
        organization,
        owner,
        "naverpay",
        {"partner_id": PARTNER, "client_id": CLIENT_ID, "client_secret": "x", "chain_id": CHAIN_ID},
        name="W",
    )
    denied = run_step(organization, "naverpay.approve", credential=str(wrong_secret.pk), payment_id="p")
    assert denied.error_code == "naverpay_unauthorized" and "401" in denied.error


# ---- the payment result trigger -------------------------------------------------------------------------------


def _result_flow(organization, shop, **trigger):
    from django.db import connection

    from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
    from tests.flows.engine.helpers import edge, node

    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("pay", "naverpay.payment_result", "NaverPay", credential=str(shop.pk), **trigger),
            node("set", "data.set", "Set", fields=[{"name": "paid", "value": "{{ json.totalPayAmount }}"}]),
        ],
        "edges": [edge("pay", "set")],
    }
    flow = flow_create(user=None, name="NaverPay results", graph=graph)
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    return flow


def _call(organization, flow, query="", body=b"", method="GET", content_type="application/json"):
    from django.db import connection

    from tests.support.webhooks import call_webhook

    response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}{query}", body, method=method, content_type=content_type)
    connection.set_tenant(organization)
    return response


def test_the_return_address_starts_one_run_per_payment_state_checked_with_naverpay(organization, naverpay, shop):
    from apps.runs.models import Run

    naverpay.customer_paid("20261207NP9", 15000)
    flow = _result_flow(organization, shop, states=["READY", "SUCCESS"])
    first = _call(organization, flow, "?resultCode=Success&paymentId=20261207NP9")
    assert first.status_code == 200, first.content
    assert _call(organization, flow, "?resultCode=Success&paymentId=20261207NP9").json()["status"] == "duplicate"
    assert run_step(organization, "naverpay.approve", credential=str(shop.pk), payment_id="20261207NP9").status == "success"
    form = b"paymentId=20261207NP9"
    approved = _call(organization, flow, body=form, method="POST", content_type="application/x-www-form-urlencoded")
    assert approved.status_code == 200
    runs = list(Run.objects.filter(flow=flow).order_by("pk"))
    assert [r.input_items[0]["admissionState"] for r in runs] == ["READY", "SUCCESS"]
    assert runs[0].input_items[0]["verified_by"] == "lookup" and runs[0].input_items[0]["result_code"] == "Success"
    assert naverpay.requests[-1]["path"] == f"{PREFIX}/v2.2/list/history"


def test_made_up_or_unwanted_naverpay_results_start_nothing(organization, naverpay, shop):
    from apps.runs.models import Run

    naverpay.customer_paid("20261207NP9", 15000)
    flow = _result_flow(organization, shop)  # SUCCESS only
    assert _call(organization, flow, "?resultCode=Success&paymentId=made-up").json()["status"] == "ignored"
    assert _call(organization, flow, "?resultCode=Success&paymentId=20261207NP9").json()["status"] == "ignored"  # READY
    assert _call(organization, flow, "?resultCode=UserCancel").json()["status"] == "ignored"
    naverpay.next_answers.append((500, {}, b"gateway error"))
    assert _call(organization, flow, "?paymentId=20261207NP9").status_code == 503
    assert not Run.objects.filter(flow=flow).exists()
