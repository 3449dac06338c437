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
