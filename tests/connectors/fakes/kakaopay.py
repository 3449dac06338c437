"""KakaoPay online single payments (open-api.kakaopay.com/online/v1/payment/...): `Authorization: SECRET_KEY …`, JSON
bodies with the shop's cid, and the real answers and {"error_code", "error_message", "extras"} errors."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService

SECRET_KEY = "DEV1234567890ABCDEF"
CID = "TC0ONETIME"


def _error(status, code, message, **extras):
    body = {"error_code": code, "error_message": message}
    if extras:
        body["extras"] = extras
    return status, {}, body


class FakeKakaoPay(FakeService):
    def __init__(self):
        super().__init__()
        self.payments: dict[str, dict] = {}  # tid → what the shop prepared, its status and amounts
        for name in ("ready", "approve", "order", "cancel"):
            self.routes[f"/online/v1/payment/{name}"] = lambda request, name=name: self._answer(name, request)

    def customer_paid(self, tid: str) -> str:
        """The customer finished in the KakaoPay window: the approval address gets this pg_token."""
        self.payments[tid]["pg_token"] = f"pg-{tid}"
        return self.payments[tid]["pg_token"]

    def _answer(self, name, request):
        if request["headers"].get("Authorization") != f"SECRET_KEY {SECRET_KEY}":
            return _error(401, -401, "invalid secret key")
        body = self.json_body(request)
        if body.get("cid") != CID:
            return _error(400, -400, "invalid cid")
        return getattr(self, f"_{name}")(body)

    def _ready(self, body):
        required = ("partner_order_id", "partner_user_id", "item_name", "quantity", "total_amount", "tax_free_amount")
        if any(body.get(name) in (None, "") for name in required) or not all(
            body.get(u) for u in ("approval_url", "cancel_url", "fail_url")
        ):
            return _error(400, -2, "Required parameter missing")
        tid = f"T{len(self.payments) + 1:019d}"
        self.payments[tid] = {**body, "status": "READY", "canceled": 0}
        return (
            200,
            {},
            {
                "tid": tid,
                "tms_result": False,
                "created_at": "2026-12-07T10:00:00",
                "next_redirect_pc_url": f"https://online-pay.kakao.com/mockup/v1/{tid}/info",
                "next_redirect_mobile_url": f"https://online-pay.kakao.com/mockup/v1/{tid}/mInfo",
                "next_redirect_app_url": f"https://online-pay.kakao.com/mockup/v1/{tid}/aInfo",
                "android_app_scheme": f"kakaotalk://kakaopay/pg?url=https://online-pay.kakao.com/pay/mockup/{tid}",
                "ios_app_scheme": f"kakaotalk://kakaopay/pg?url=https://online-pay.kakao.com/pay/mockup/{tid}",
            },
        )

    def _approve(self, body):
        payment = self.payments.get(body.get("tid"))
        if payment is None:
            return _error(400, -721, "TID doesn't exist.")
        if payment["status"] != "READY":
            return _error(400, -702, "payment is already done!")
        if body.get("partner_order_id") != payment["partner_order_id"]:
            return _error(400, -706, "partner_order_id is different.")
        if "pg_token" not in payment:
            return _error(400, -701, "User is not authenticated.")
        if body.get("pg_token") != payment["pg_token"]:
            return _error(400, -708, "invalid pg_token.")
        if payment["total_amount"] >= 5_000_000:
            return _error(400, -780, "approval failure!", method_result_code="8008", method_result_message="한도초과")
        payment["status"] = "SUCCESS_PAYMENT"
        payment["approved_at"] = "2026-12-07T10:00:30"
        return (
            200,
            {},
            {
                "aid": f"A{body['tid'][1:]}",
                "tid": body["tid"],
                "cid": CID,
                "partner_order_id": payment["partner_order_id"],
                "partner_user_id": payment["partner_user_id"],
                "payment_method_type": "MONEY",
                "item_name": payment["item_name"],
                "quantity": payment["quantity"],
                "amount": _amount(payment["total_amount"], payment["tax_free_amount"]),
                "created_at": "2026-12-07T10:00:00",
                "approved_at": "2026-12-07T10:00:30",
            },
        )

    def _order(self, body):
        payment = self.payments.get(body.get("tid"))
        if payment is None:
            return _error(400, -721, "TID doesn't exist.")
        total = payment["total_amount"]
        return (
            200,
            {},
            {
                "tid": body["tid"],
                "cid": CID,
                "status": payment["status"],
                "partner_order_id": payment["partner_order_id"],
                "partner_user_id": payment["partner_user_id"],
                "item_name": payment["item_name"],
                "quantity": payment["quantity"],
                "amount": _amount(total, payment["tax_free_amount"]),
                "canceled_amount": _amount(payment["canceled"], 0),
                "cancel_available_amount": _amount(total - payment["canceled"], 0),
                "created_at": "2026-12-07T10:00:00",
                **{k: payment[k] for k in ("approved_at", "canceled_at") if k in payment},
                "payment_action_details": [],
            },
        )

    def _cancel(self, body):
        payment = self.payments.get(body.get("tid"))
        if payment is None:
            return _error(400, -721, "TID doesn't exist.")
        available = payment["total_amount"] - payment["canceled"]
        if payment["status"] not in ("SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT") or body.get("cancel_amount", 0) > available:
            return _error(400, -710, "cancel amount is bigger than cancel available amount.")
        payment["canceled"] += body["cancel_amount"]
        payment["canceled_at"] = f"2026-12-07T11:0{min(payment.get('cancels', 0), 9)}:00"
        payment["cancels"] = payment.get("cancels", 0) + 1
        payment["status"] = "CANCEL_PAYMENT" if payment["canceled"] == payment["total_amount"] else "PART_CANCEL_PAYMENT"
        return (
            200,
            {},
            {
                "tid": body["tid"],
                "cid": CID,
                "status": payment["status"],
                "partner_order_id": payment["partner_order_id"],
                "approved_cancel_amount": _amount(body["cancel_amount"], body.get("cancel_tax_free_amount", 0)),
                "canceled_amount": _amount(payment["canceled"], 0),
                "cancel_available_amount": _amount(payment["total_amount"] - payment["canceled"], 0),
                "canceled_at": "2026-12-07T10:05:00",
            },
        )


def _amount(total: int, tax_free: int) -> dict:
    vat = round((total - tax_free) / 11)
    return {"total": total, "tax_free": tax_free, "vat": vat, "point": 0, "discount": 0, "green_deposit": 0}
