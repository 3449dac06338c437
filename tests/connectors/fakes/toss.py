"""Toss Payments (api.tosspayments.com): confirm, look up and cancel with Basic auth (secret key + ":"), Idempotency-Key
on POST, and the real Payment object and {"code", "message"} errors."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac

from tests.connectors.fakes.base import FakeService

SECRET_KEY = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"
SECURITY_KEY = "whsec-security-key-0123"


def _error(status, code, message):
    return status, {}, {"code": code, "message": message}


def sign(body: bytes, transmission_time: str, key: str = SECURITY_KEY) -> str:
    """What Toss sends in tosspayments-webhook-signature."""
    digest = hmac.new(key.encode(), body + b":" + transmission_time.encode(), hashlib.sha256).digest()
    return "v1:" + base64.b64encode(digest).decode()


class FakeToss(FakeService):
    def __init__(self):
        super().__init__()
        # paymentKey → the Payment object; paymentKey → (orderId, amount) of payments made but not yet confirmed.
        self.payments: dict[str, dict] = {}
        self.sessions: dict[str, tuple[str, int]] = {}
        self.answered: dict[str, tuple] = {}  # Idempotency-Key → the first answer
        outer, plain = self, type(self.routes)

        class TossRoutes(plain):
            def get(self, path, default=None):
                return plain.get(self, path, None) or (lambda request: outer._dispatch(path, request))

        self.routes = TossRoutes(self.routes)

    def customer_paid(self, payment_key: str, order_id: str, amount: int) -> None:
        self.sessions[payment_key] = (order_id, amount)

    def add_payment(self, payment_key: str, order_id: str, amount: int, status: str = "DONE") -> dict:
        self.payments[payment_key] = _payment(payment_key, order_id, amount, status)
        return self.payments[payment_key]

    def _dispatch(self, path: str, request: dict):
        expected = "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode()
        if request["headers"].get("Authorization") != expected:
            return _error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.")
        key = request["headers"].get("Idempotency-Key")
        if request["method"] == "POST" and key in self.answered:
            return self.answered[key]
        answer = self._route(path, request)
        if request["method"] == "POST" and key:
            self.answered[key] = answer
        return answer

    def _route(self, path: str, request: dict):
        parts = path.strip("/").split("/")
        if parts[:2] != ["v1", "payments"]:
            return 404, {}, b"not found"
        if parts[2:] == ["confirm"] and request["method"] == "POST":
            return self._confirm(self.json_body(request))
        if len(parts) == 4 and parts[2] == "orders" and request["method"] == "GET":
            found = next((p for p in self.payments.values() if p["orderId"] == parts[3]), None)
            return (200, {}, found) if found else _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        if len(parts) == 3 and request["method"] == "GET":
            found = self.payments.get(parts[2])
            return (200, {}, found) if found else _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        if len(parts) == 4 and parts[3] == "cancel" and request["method"] == "POST":
            return self._cancel(parts[2], self.json_body(request))
        return 404, {}, b"not found"

    def _confirm(self, body: dict):
        if not {"paymentKey", "orderId", "amount"} <= set(body) or not isinstance(body["amount"], int):
            return _error(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        if body["paymentKey"] in self.payments:
            return _error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
        session = self.sessions.get(body["paymentKey"])
        if session is None:
            return _error(404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.")
        if session != (body["orderId"], body["amount"]):
            return _error(400, "INVALID_REQUEST", "결제 금액이 일치하지 않습니다.")
        if body["amount"] >= 10_000_000:
            return _error(403, "REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
        del self.sessions[body["paymentKey"]]
        return 200, {}, self.add_payment(body["paymentKey"], body["orderId"], body["amount"])

    def _cancel(self, payment_key: str, body: dict):
        payment = self.payments.get(payment_key)
        if payment is None:
            return _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        if not body.get("cancelReason"):
            return _error(400, "INVALID_REQUEST", "취소 사유를 입력해주세요.")
        if payment["status"] == "CANCELED":
            return _error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
        amount = body.get("cancelAmount", payment["balanceAmount"])
        if amount > payment["balanceAmount"]:
            return _error(403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
        payment["balanceAmount"] -= amount
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        transaction = f"cancel-{len(payment['cancels'] or []) + 1}-{payment_key[:8]}"
        payment["cancels"] = [
            *(payment["cancels"] or []),
            {
                "transactionKey": transaction,
                "cancelReason": body["cancelReason"],
                "canceledAt": "2026-12-07T10:05:00+09:00",
                "cancelAmount": amount,
                "refundableAmount": payment["balanceAmount"],
                "cancelStatus": "DONE",
            },
        ]
        payment["lastTransactionKey"] = transaction
        return 200, {}, copy.deepcopy(payment)


def _payment(payment_key: str, order_id: str, amount: int, status: str) -> dict:
    return {
        "mId": "tosspayments",
        "version": "2022-11-16",
        "lastTransactionKey": "9C62B18EEF0DE3EB7F4422EB6D14BC6E",
        "paymentKey": payment_key,
        "orderId": order_id,
        "orderName": "토스 티셔츠 외 2건",
        "taxExemptionAmount": 0,
        "status": status,
        "requestedAt": "2026-12-07T10:00:00+09:00",
        "approvedAt": "2026-12-07T10:00:20+09:00",
        "useEscrow": False,
        "cultureExpense": False,
        "card": {
            "issuerCode": "71",
            "acquirerCode": "71",
            "number": "43301234****123*",
            "installmentPlanMonths": 0,
            "approveNo": "00000000",
        },
        "type": "NORMAL",
        "currency": "KRW",
        "totalAmount": amount,
        "balanceAmount": amount,
        "suppliedAmount": round(amount / 1.1),
        "vat": amount - round(amount / 1.1),
        "method": "카드",
        "cancels": None,
        "secret": None,
    }
