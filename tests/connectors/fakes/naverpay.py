"""NaverPay payments (apis.naver.com/{partner}/naverpay/payments/...): X-Naver-Client-Id/Secret and X-NaverPay-Chain-Id
headers, form bodies, and {"code", "message", "body"} answers whose refusals keep HTTP 200."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService

PARTNER, CLIENT_ID, CLIENT_SECRET, CHAIN_ID = "np_shop1", "np-client", "np-secret", "chain-123"
PREFIX = f"/{PARTNER}/naverpay/payments"


class FakeNaverPay(FakeService):
    def __init__(self):
        super().__init__()
        self.payments: dict[str, dict] = {}  # paymentId → {"amount", "approved", "canceled"}
        self.routes[f"{PREFIX}/v2.2/apply/payment"] = lambda r: self._guarded(r, self._approve)
        self.routes[f"{PREFIX}/v2.2/list/history"] = lambda r: self._guarded(r, self._history)
        self.routes[f"{PREFIX}/v1/cancel"] = lambda r: self._guarded(r, self._cancel)

    def customer_paid(self, payment_id: str, amount: int) -> None:
        self.payments[payment_id] = {"amount": amount, "approved": False, "canceled": 0}

    def _guarded(self, request, handler):
        headers = request["headers"]
        if headers.get("X-Naver-Client-Id") != CLIENT_ID or headers.get("X-Naver-Client-Secret") != CLIENT_SECRET:
            return 401, {}, {"code": "401", "message": "Authentication failed"}
        if headers.get("X-NaverPay-Chain-Id") != CHAIN_ID:
            return 200, {}, {"code": "InvalidMerchant", "message": "유효하지 않은 가맹점입니다."}
        return handler(self.form(request))

    def _detail(self, payment_id):
        payment = self.payments[payment_id]
        return {
            "paymentId": payment_id,
            "merchantPayKey": f"order-{payment_id}",
            "totalPayAmount": payment["amount"],
            "admissionState": "SUCCESS" if payment["approved"] else "READY",
            "primaryPayMeans": "CARD",
            "cancelAmount": payment["canceled"],
        }

    def _approve(self, form):
        payment = self.payments.get(form.get("paymentId"))
        if payment is None:
            return 200, {}, {"code": "OwnerAuthFail", "message": "타 가맹점의 결제 건입니다."}
        if payment["approved"]:
            return 200, {}, {"code": "AlreadyComplete", "message": "이미 승인 완료된 결제입니다."}
        payment["approved"] = True
        return (
            200,
            {},
            {
                "code": "Success",
                "message": "detail message",
                "body": {"paymentId": form["paymentId"], "detail": self._detail(form["paymentId"])},
            },
        )

    def _history(self, form):
        if form.get("paymentId") not in self.payments:
            return 200, {}, {"code": "Success", "message": "", "body": {"responseCount": 0, "list": []}}
        return 200, {}, {"code": "Success", "message": "", "body": {"responseCount": 1, "list": [self._detail(form["paymentId"])]}}

    def _cancel(self, form):
        payment = self.payments.get(form.get("paymentId"))
        if payment is None:
            return 200, {}, {"code": "OwnerAuthFail", "message": "타 가맹점의 결제 건입니다."}
        assert form["cancelRequester"] == "2" and form["cancelReason"]
        amount = int(form["cancelAmount"])
        assert int(form["taxScopeAmount"]) + int(form["taxExScopeAmount"]) == amount
        if amount > payment["amount"] - payment["canceled"]:
            return 200, {}, {"code": "RemainAmountNotEqual", "message": "취소 가능 금액을 초과했습니다."}
        payment["canceled"] += amount
        body = {"paymentId": form["paymentId"], "cancelPayAmount": amount, "totalRestAmount": payment["amount"] - payment["canceled"]}
        return 200, {}, {"code": "Success", "message": "", "body": body}
