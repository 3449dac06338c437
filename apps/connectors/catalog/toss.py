"""Toss Payments: confirm, look up and cancel a payment (api.tosspayments.com, Basic auth with the secret key and a
trailing colon), and a trigger started by Toss's webhook events.

Toss answers errors as {"code": "NOT_FOUND_PAYMENT", "message": "..."} with an HTTP status of 400, 401, 403, 404 or
500. Its payment webhooks are not signed: the trigger asks Toss for the payment before it starts a run, so a made-up
event starts nothing. Payout and seller events are signed (`tosspayments-webhook-signature`), checked with the
webhook security key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from django.utils.translation import gettext as _

from apps.connectors.http import Answer, Credential, Service, call, provider_error
from apps.connectors.payments import PaymentCheck, PaymentResultTrigger, start_for_state
from apps.core.errors import DomainError
from apps.core.jsonbody import JSONInputError, json_loads
from apps.flows.credential_kinds import CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register
from apps.flows.triggers.inbound import IgnoreCall, StartRun

_ERRORS = {
    "ALREADY_PROCESSED_PAYMENT": (
        "toss_already_processed",
        gettext_noop(
            "Toss Payments says this payment was already processed (%(code)s). It is confirmed once; look it up "
            "instead of confirming it again."
        ),
    ),
    "NOT_FOUND_PAYMENT": (
        "toss_not_found",
        gettext_noop(
            "Toss Payments has no such payment (%(code)s). Check the paymentKey or orderId, and that the secret key is "
            "of the same shop and mode (test or live) as the payment."
        ),
    ),
    "NOT_FOUND_PAYMENT_SESSION": (
        "toss_session_expired",
        gettext_noop(
            "The payment was not confirmed in time (%(code)s): Toss allows 10 minutes after the customer pays. "
            "The customer has to pay again."
        ),
    ),
    "UNAUTHORIZED_KEY": (
        "toss_unauthorized",
        gettext_noop(
            "Toss Payments refused the secret key (%(code)s). Copy it again from the Toss Payments developer center → "
            "API keys (the secret key starts with test_sk_ or live_sk_), and update the credential on the Connections page."
        ),
    ),
    "INVALID_API_KEY": (
        "toss_unauthorized",
        gettext_noop("Toss Payments refused the secret key (%(code)s). Use the secret key (test_sk_… or live_sk_…), not the client key."),
    ),
    "INVALID_REQUEST": (
        "toss_invalid_request",
        gettext_noop("Toss Payments refused the request (%(code)s: %(reason)s). Check the values given to the step."),
    ),
    "REJECT_CARD_PAYMENT": (
        "toss_card_rejected",
        gettext_noop(
            "The card was refused (%(code)s: %(reason)s), e.g. over its limit or not enough balance. Ask the customer "
            "to use another card or payment method."
        ),
    ),
    "REJECT_CARD_COMPANY": (
        "toss_card_rejected",
        gettext_noop("The card company refused the payment (%(code)s: %(reason)s). Ask the customer to use another card."),
    ),
    "ALREADY_CANCELED_PAYMENT": (
        "toss_already_canceled",
        gettext_noop("This payment is already cancelled (%(code)s). There is nothing left to cancel."),
    ),
    "NOT_CANCELABLE_AMOUNT": (
        "toss_not_cancelable_amount",
        gettext_noop("Toss Payments cannot cancel this amount (%(code)s): it is more than what remains of the payment."),
    ),
    "NOT_CANCELABLE_PAYMENT": (
        "toss_not_cancelable",
        gettext_noop("Toss Payments cannot cancel this payment (%(code)s: %(reason)s)."),
    ),
    "FORBIDDEN_REQUEST": (
        "toss_forbidden",
        gettext_noop("Toss Payments refused the request (%(code)s): the secret key does not belong to the shop that took this payment."),
    ),
    "EXCEED_MAX_DAILY_PAYMENT_COUNT": (
        "toss_limit",
        gettext_noop("The daily number of payments allowed is used up (%(code)s). Try again tomorrow."),
    ),
    "PROVIDER_ERROR": (
        "toss_unavailable",
        gettext_noop("The card company or bank had a temporary problem (%(code)s). Run the step again in a few minutes."),
    ),
    "FAILED_INTERNAL_SYSTEM_PROCESSING": (
        "toss_unavailable",
        gettext_noop("Toss Payments had an internal error (%(code)s). Run the step again in a few minutes."),
    ),
    "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING": (
        "toss_unavailable",
        gettext_noop("Toss Payments could not process the payment (%(code)s). Run the step again in a few minutes."),
    ),
}


def _toss_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if answer.status < 400 or not isinstance(body, dict) or "code" not in body:
        return None
    code = str(body["code"])
    error_code, template = _ERRORS.get(code) or ("toss_error", gettext_noop("Toss Payments refused the request (%(code)s: %(reason)s)."))
    return provider_error(template, code=error_code, service=TOSS, provider_code=code, answer=answer, reason=str(body.get("message", "")))


TOSS = Service("toss", "Toss Payments", "https://api.tosspayments.com", _toss_error)
KIND = "toss_payments"


@register_credential_kind
class TossPaymentsKey(CredentialKind):
    icon = "toss"
    key = KIND
    label = t("Toss Payments secret key", "토스페이먼츠 시크릿 키")
    http_auth = True
    fields = (
        Field("secret_key", t("Secret key (test_sk_… or live_sk_…)", "시크릿 키(test_sk_… 또는 live_sk_…)")),
        Field("webhook_security_key", t("Webhook security key (payout events)", "웹훅 보안 키(지급대행 이벤트)"), required=False),
    )
    help = t(
        "Toss Payments developer center (developers.tosspayments.com) → API keys: the secret key. The webhook "
        "security key, needed only for payout and seller events, is shown where you register the webhook address.",
        "토스페이먼츠 개발자센터(developers.tosspayments.com) → API 키의 시크릿 키입니다. 지급대행·셀러 이벤트에만 "
        "필요한 웹훅 보안 키는 웹훅 주소를 등록하는 화면에 있습니다.",
    )

    def authenticate(self, request, data):
        token = base64.b64encode(f"{data.get('secret_key', '')}:".encode()).decode()
        request.headers["Authorization"] = f"Basic {token}"

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            answer = send_probe(url or TOSS.url("/v1/payments/orders/ezflow-connection-test"), allow_hosts=allow_hosts, request=request)
        except ProbeFailed as failed:
            return failed.result
        # An unknown order with an accepted key is NOT_FOUND_PAYMENT (404); a refused key is 401.
        if answer.status == 404:
            return TestResult(True, gettext_noop("Toss Payments accepted the secret key."))
        return TestResult(False, gettext_noop("Toss Payments refused the secret key (HTTP %(status)s)."), {"status": str(answer.status)})


def _credential_param():
    return Param(
        "credential", "credential", t("Toss Payments key", "토스페이먼츠 키"), required=True, credential_type=KIND, expressions=False
    )


def _output_param(default: str):
    return Param("output_field", "string", t("Put the payment in", "결제 정보를 넣을 필드"), default=default, expressions=False)


def _idempotency_key(ctx, index: int) -> str:
    # The same key when a recorded run replays the step after a crash, so Toss answers the first result again.
    return ctx.idempotency_key(index) or "ezf-" + uuid.uuid4().hex


def _text(params, name: str, label: str) -> str:
    value = str(params.get(name) if params.get(name) is not None else "").strip()
    if not value:
        raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": label})
    return value


def _amount(value, *, required: bool) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        amount = int(str(value).replace(",", "").strip())
    except ValueError:
        amount = 0
    if amount <= 0:
        raise NodeError(
            gettext_noop("The amount must be a whole number of won above 0 (got “%(value)s”)."),
            code="bad_amount",
            values={"value": str(value)},
        )
    return amount


def _with_payment(item: dict, params, payment) -> dict:
    out = copy_item(item)
    set_path(out, params.get("output_field") or "payment", payment or {})
    return out


@register
class TossConfirmPayment(NodeType):
    key = "toss.confirm_payment"
    category = "action"
    icon = "toss"
    side_effects = True
    label = t("Confirm Toss payment", "토스 결제 승인")
    description = t(
        "Confirms a payment the customer made in the Toss Payments window (paymentKey, orderId and amount from the success address).",
        "고객이 토스페이먼츠 결제창에서 결제한 건을 승인합니다(성공 주소로 받은 paymentKey, orderId, 금액).",
    )
    params = (
        _credential_param(),
        Param("payment_key", "string", t("paymentKey", "paymentKey"), required=True),
        Param("order_id", "string", t("Order ID (orderId)", "주문 번호(orderId)"), required=True),
        Param(
            "amount",
            "string",
            t("Amount (won)", "금액(원)"),
            required=True,
            help=t("Must equal the amount the customer paid.", "고객이 결제한 금액과 같아야 합니다."),
        ),
        _output_param("payment"),
    )

    def execute(self, ctx):
        out, credential = [], None
        for index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            body = {
                "paymentKey": _text(params, "payment_key", "paymentKey"),
                "orderId": _text(params, "order_id", "orderId"),
                "amount": _amount(params.get("amount"), required=True),
            }
            headers = {"Idempotency-Key": _idempotency_key(ctx, index)}
            payment = call(ctx, TOSS, "POST", "/v1/payments/confirm", credential=credential, headers=headers, json_body=body).json()
            out.append(_with_payment(item, params, payment))
        return {"main": out}


@register
class TossGetPayment(NodeType):
    key = "toss.get_payment"
    category = "action"
    icon = "toss"
    label = t("Look up Toss payment", "토스 결제 조회")
    description = t(
        "Reads a Toss Payments payment by its paymentKey or by your order ID: status, amount, method, cancellations.",
        "paymentKey 또는 주문 번호로 토스페이먼츠 결제를 조회합니다: 상태, 금액, 결제 수단, 취소 내역.",
    )
    params = (
        _credential_param(),
        Param(
            "find_by",
            "select",
            t("Find by", "조회 기준"),
            default="payment_key",
            expressions=False,
            options=(("payment_key", t("paymentKey", "paymentKey")), ("order_id", t("order ID", "주문 번호"))),
        ),
        Param("value", "string", t("paymentKey or order ID", "paymentKey 또는 주문 번호"), required=True),
        _output_param("payment"),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            value = _text(params, "value", "paymentKey / orderId")
            payment = fetch_payment(
                ctx, credential, **({"order_id": value} if params.get("find_by") == "order_id" else {"payment_key": value})
            )
            out.append(_with_payment(item, params, payment))
        return {"main": out}


@register
class TossCancelPayment(NodeType):
    key = "toss.cancel_payment"
    category = "action"
    icon = "toss"
    side_effects = True
    label = t("Cancel Toss payment", "토스 결제 취소")
    description = t(
        "Cancels a Toss Payments payment in full, or part of it when you give an amount.",
        "토스페이먼츠 결제를 전액 취소하거나, 금액을 적으면 그만큼 부분 취소합니다.",
    )
    params = (
        _credential_param(),
        Param("payment_key", "string", t("paymentKey", "paymentKey"), required=True),
        Param("cancel_reason", "string", t("Reason", "취소 사유"), required=True),
        Param(
            "cancel_amount",
            "string",
            t("Amount to cancel (won)", "취소할 금액(원)"),
            default="",
            help=t("Leave empty to cancel everything that remains.", "비워 두면 남은 금액을 모두 취소합니다."),
        ),
        _output_param("payment"),
    )

    def execute(self, ctx):
        out, credential = [], None
        for index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            payment_key = _text(params, "payment_key", "paymentKey")
            body = {"cancelReason": _text(params, "cancel_reason", "cancelReason")}
            amount = _amount(params.get("cancel_amount"), required=False)
            if amount is not None:
                body["cancelAmount"] = amount
            headers = {"Idempotency-Key": _idempotency_key(ctx, index)}
            path = f"/v1/payments/{_segment(payment_key)}/cancel"
            payment = call(ctx, TOSS, "POST", path, credential=credential, headers=headers, json_body=body).json()
            out.append(_with_payment(item, params, payment))
        return {"main": out}


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def fetch_payment(ctx, credential: Credential, *, payment_key: str = "", order_id: str = "") -> dict:
    path = f"/v1/payments/{_segment(payment_key)}" if payment_key else f"/v1/payments/orders/{_segment(order_id)}"
    payment = call(ctx, TOSS, "GET", path, credential=credential).json()
    return payment if isinstance(payment, dict) else {}


# ---- The payment event trigger -------------------------------------------------------------------------------

# Payment events are not signed: each is checked by asking Toss for the payment it names.
PAYMENT_EVENTS = ("PAYMENT_STATUS_CHANGED",)
# Payout and seller events are signed with the webhook security key.
SIGNED_EVENTS = ("payout.changed", "seller.changed")
SIGNATURE_HEADER = "tosspayments-webhook-signature"
TIME_HEADER = "tosspayments-webhook-transmission-time"
TRANSMISSION_ID_HEADER = "tosspayments-webhook-transmission-id"
DEFAULT_STATUSES = ["DONE"]


def signature_valid(*, body: bytes, transmission_time: str, header: str, security_key: str) -> bool:
    """Toss's signed webhooks: `v1:` + base64(HMAC-SHA256(security key, "{body}:{transmission time}")); the header
    may carry several comma-separated signatures (during a key rotation), any one of which may match."""
    if not (security_key and transmission_time and header):
        return False
    message = body + b":" + transmission_time.encode()
    expected = hmac.new(security_key.encode(), message, hashlib.sha256).digest()
    for part in header.split(","):
        version, _sep, value = part.strip().partition(":")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(value, validate=True)
        except ValueError:
            continue
        if hmac.compare_digest(given, expected):
            return True
    return False


def _event(call) -> dict:
    try:
        event = json_loads(call.body) if call.body else None
    except JSONInputError as exc:
        raise DomainError(exc.message, code=exc.code) from None
    except ValueError:
        raise DomainError(_("The request body is not valid JSON."), code="bad_json") from None
    if not isinstance(event, dict):
        raise DomainError(_("A Toss Payments event is a JSON object."), code="bad_event")
    return event


@register
class TossPaymentEvent(PaymentResultTrigger):
    key = "toss.payment_event"
    icon = "toss"
    label = t("Toss payment event", "토스 결제 이벤트")
    description = t(
        "Starts the flow when Toss Payments reports a payment status change to this flow's address (register it in "
        "the developer center → Webhooks). Each event is checked with Toss before the flow starts; a repeated event "
        "starts it once.",
        "토스페이먼츠가 이 플로우 주소로 결제 상태 변경을 알리면 플로우를 시작합니다(개발자센터 → 웹훅에 주소를 "
        "등록하세요). 이벤트마다 토스에 확인한 뒤 시작하며, 같은 이벤트가 다시 와도 한 번만 시작합니다.",
    )
    params = (
        _credential_param(),
        Param(
            "statuses",
            "list",
            t("Start only for these statuses", "이 상태일 때만 시작"),
            default=DEFAULT_STATUSES,
            expressions=False,
            help=t(
                "Toss payment statuses such as DONE, CANCELED, PARTIAL_CANCELED, WAITING_FOR_DEPOSIT; empty: every "
                "status. Payout and seller events always start the flow.",
                "DONE, CANCELED, PARTIAL_CANCELED, WAITING_FOR_DEPOSIT 같은 토스 결제 상태입니다. 비우면 모든 상태에서 "
                "시작합니다. 지급대행·셀러 이벤트는 항상 시작합니다.",
            ),
        ),
    )

    def receive_webhook(self, call, *, params, host):
        event = _event(call)
        headers = {str(k).lower(): str(v) for k, v in call.headers.items()}
        event_type = str(event.get("eventType") or "")
        if SIGNATURE_HEADER in headers or event_type in SIGNED_EVENTS:
            return self._signed(call, event, headers, host, params)
        if event_type in PAYMENT_EVENTS:
            return self._payment(event, host, params)
        return IgnoreCall(_("This flow does not start on this kind of Toss Payments event."))

    def _signed(self, call, event, headers, host, params) -> StartRun:
        _ctx, credential = CHECK.credential(host, params)
        valid = signature_valid(
            body=call.body,
            transmission_time=headers.get(TIME_HEADER, ""),
            header=headers.get(SIGNATURE_HEADER, ""),
            security_key=str(credential.data.get("webhook_security_key") or ""),
        )
        if not valid:
            raise DomainError(_("The Toss Payments signature is missing or wrong."), code="unauthorized", status=401)
        key = headers.get(TRANSMISSION_ID_HEADER) or hashlib.sha256(call.body).hexdigest()
        item = {"eventType": event.get("eventType"), "createdAt": event.get("createdAt"), "data": event.get("data") or {}}
        return StartRun([{**item, "verified_by": "signature"}], event_key=f"toss:signed:{key}", status=200)

    def _payment(self, event, host, params) -> StartRun | IgnoreCall:
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        payment_key = str(data.get("paymentKey") or "")
        if not payment_key:
            return IgnoreCall(_("The event names no payment."))
        ctx, credential = CHECK.credential(host, params)
        # Toss sends the event again when it is not answered 200: a failed check is tried again then.
        payment = CHECK.look_up(lambda: fetch_payment(ctx, credential, payment_key=payment_key))
        if isinstance(payment, IgnoreCall):
            return payment
        status = str(payment.get("status") or "")
        if str(payment.get("orderId") or "") != str(data.get("orderId") or "") or status != str(data.get("status") or ""):
            return IgnoreCall(_("The event does not match the payment at Toss Payments; it was ignored."))
        # Named by what Toss itself says about the payment, so a retry (or a replay with another createdAt) is the same.
        mark = payment.get("lastTransactionKey") or payment.get("approvedAt") or event.get("createdAt") or ""
        item = {**payment, "webhook": {"eventType": event.get("eventType"), "createdAt": event.get("createdAt"), "verified_by": "lookup"}}
        return start_for_state(
            item,
            state=status,
            chosen=params.get("statuses", DEFAULT_STATUSES),
            event_key=f"toss:{event.get('eventType')}:{payment_key}:{status}:{mark}",
        )


CHECK = PaymentCheck(
    kind=KIND,
    misconfigured=lambda: _("This flow's Toss payment event step has no usable Toss Payments key. Choose one in the editor."),
    not_found=lambda: _("Toss Payments does not know this payment; the event was ignored."),
    unavailable=lambda: _("The event could not be checked with Toss Payments just now. Send it again later."),
    not_found_codes=frozenset({"toss_not_found"}),
)
