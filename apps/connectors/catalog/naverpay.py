"""NaverPay payments (apis.naver.com/{partner ID}/naverpay/payments/...): approve, look up and cancel a payment with the
shop's Client ID/Secret and Chain ID headers.

NaverPay answers {"code": "Success", "message": ..., "body": {...}}; a refusal keeps HTTP 200 with another code
("TimeExpired", "AlreadyComplete", "InvalidMerchant", ...), so the error reader looks at the code, not the status."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.utils.translation import gettext as _

from apps.connectors.http import Answer, Credential, Service, call, provider_error
from apps.connectors.payments import PaymentCheck, PaymentResultTrigger, start_for_state, webhook_values
from apps.flows.credential_kinds import CredentialKind, Field, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register
from apps.flows.triggers.inbound import IgnoreCall

_ERRORS = {
    "InvalidMerchant": (
        "naverpay_unauthorized",
        gettext_noop(
            "NaverPay does not know this shop (%(code)s). Check the partner ID, Client ID/Secret and Chain ID in NaverPay "
            "Center (admin.pay.naver.com) → Developer settings."
        ),
    ),
    "OwnerAuthFail": (
        "naverpay_not_owner",
        gettext_noop("This payment was not made at this shop (%(code)s). Check the paymentId and the partner ID."),
    ),
    "TimeExpired": (
        "naverpay_expired",
        gettext_noop("The payment was not approved in time (%(code)s): NaverPay allows 10 minutes. The customer has to pay again."),
    ),
    "AlreadyOnGoing": (
        "naverpay_in_progress",
        gettext_noop("NaverPay is already approving this payment (%(code)s). Look it up in a moment."),
    ),
    "AlreadyComplete": (
        "naverpay_already_approved",
        gettext_noop("This NaverPay payment is already approved (%(code)s). Look it up instead."),
    ),
    "CancelNotComplete": (
        "naverpay_cancel_failed",
        gettext_noop("NaverPay could not finish the cancellation (%(code)s: %(reason)s). Run the step again in a few minutes."),
    ),
    "RemainAmountNotEqual": (
        "naverpay_not_cancelable_amount",
        gettext_noop("NaverPay cannot cancel this amount (%(code)s): it does not match what remains of the payment."),
    ),
    "401": (
        "naverpay_unauthorized",
        gettext_noop(
            "NaverPay refused the Client ID or Client Secret (%(code)s). Copy them again from NaverPay Center → Developer settings."
        ),
    ),
}


def _naverpay_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    code = str(body.get("code") or "") if isinstance(body, dict) else ""
    if code == "Success" or (not code and answer.status < 400):
        return None
    if not code:
        return None  # the shared HTTP failure says the status
    error_code, template = _ERRORS.get(code) or ("naverpay_error", gettext_noop("NaverPay refused the request (%(code)s: %(reason)s)."))
    return provider_error(
        template, code=error_code, service=NAVERPAY, provider_code=code, answer=answer, reason=str(body.get("message", ""))
    )


NAVERPAY = Service("naverpay", "NaverPay", "https://apis.naver.com", _naverpay_error)
KIND = "naverpay"


@register_credential_kind
class NaverPayPartner(CredentialKind):
    icon = "naverpay"
    key = KIND
    label = t("NaverPay shop (partner ID, Client ID/Secret, Chain ID)", "네이버페이 가맹점(파트너 ID, Client ID/Secret, 체인 ID)")
    http_auth = True
    fields = (
        Field("partner_id", t("Partner ID", "파트너 ID"), secret=False),
        Field("client_id", t("Client ID", "Client ID"), secret=False),
        Field("client_secret", t("Client Secret", "Client Secret")),
        Field("chain_id", t("Chain ID", "체인 ID"), secret=False),
    )
    help = t(
        "NaverPay Center (admin.pay.naver.com) → Developer settings (개발자센터): partner ID, Client ID, Client Secret "
        "and Chain ID of the shop.",
        "네이버페이 센터(admin.pay.naver.com) → 개발자센터의 가맹점 파트너 ID, Client ID, Client Secret, 체인 ID입니다.",
    )

    def authenticate(self, request, data):
        request.headers["X-Naver-Client-Id"] = data.get("client_id", "")
        request.headers["X-Naver-Client-Secret"] = data.get("client_secret", "")
        request.headers["X-NaverPay-Chain-Id"] = data.get("chain_id", "")


def _credential_param():
    return Param(
        "credential", "credential", t("NaverPay shop", "네이버페이 가맹점"), required=True, credential_type=KIND, expressions=False
    )


def _output_param():
    return Param(
        "output_field", "string", t("Put NaverPay's answer in", "네이버페이 응답을 넣을 필드"), default="naverpay", expressions=False
    )


def _text(params, name: str) -> str:
    value = str(params.get(name) if params.get(name) is not None else "").strip()
    if not value:
        raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": name})
    return value


class _NaverPayStep(NodeType):
    category = "action"
    icon = "naverpay"
    path: str  # after /{partner ID}/naverpay/payments

    def form(self, params) -> dict:
        raise NotImplementedError

    def execute(self, ctx):
        out, credential = [], None
        for index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            partner = str(credential.data.get("partner_id") or "").strip()
            if not partner:
                raise NodeError(
                    gettext_noop("The NaverPay credential has no partner ID. Add it on the Connections page."), code="missing_partner"
                )
            headers = {"X-NaverPay-Idempotency-Key": ctx.idempotency_key(index) or uuid.uuid4().hex} if self.side_effects else {}
            path = f"/{quote(partner, safe='')}/naverpay/payments{self.path}"
            answer = call(ctx, NAVERPAY, "POST", path, credential=credential, headers=headers, form=self.form(params)).json() or {}
            result = copy_item(item)
            set_path(result, params.get("output_field") or "naverpay", answer.get("body") or {})
            out.append(result)
        return {"main": out}


@register
class NaverPayApprove(_NaverPayStep):
    key = "naverpay.approve"
    side_effects = True
    path = "/v2.2/apply/payment"
    label = t("Approve NaverPay payment", "네이버페이 결제 승인")
    description = t(
        "Approves a NaverPay payment with the paymentId NaverPay gave the return address.",
        "네이버페이가 복귀 주소로 넘겨준 paymentId로 결제를 승인합니다.",
    )
    params = (_credential_param(), Param("payment_id", "string", t("paymentId", "paymentId"), required=True), _output_param())

    def form(self, params):
        return {"paymentId": _text(params, "payment_id")}


@register
class NaverPayHistory(_NaverPayStep):
    key = "naverpay.get_payment"
    path = "/v2.2/list/history"
    label = t("Look up NaverPay payment", "네이버페이 결제 조회")
    description = t("Reads a NaverPay payment's history by its paymentId.", "paymentId로 네이버페이 결제 내역을 조회합니다.")
    params = (_credential_param(), Param("payment_id", "string", t("paymentId", "paymentId"), required=True), _output_param())

    def form(self, params):
        return {"paymentId": _text(params, "payment_id")}


@register
class NaverPayCancel(_NaverPayStep):
    key = "naverpay.cancel"
    side_effects = True
    path = "/v1/cancel"
    label = t("Cancel NaverPay payment", "네이버페이 결제 취소")
    description = t("Cancels all or part of a NaverPay payment.", "네이버페이 결제를 전액 또는 부분 취소합니다.")
    params = (
        _credential_param(),
        Param("payment_id", "string", t("paymentId", "paymentId"), required=True),
        Param("cancel_amount", "string", t("Amount to cancel (won)", "취소 금액(원)"), required=True),
        Param("tax_scope_amount", "string", t("Taxable part (won)", "과세 대상 금액(원)"), required=True),
        Param("tax_ex_scope_amount", "string", t("Tax-exempt part (won)", "면세 대상 금액(원)"), default="0"),
        Param("cancel_reason", "string", t("Reason", "취소 사유"), required=True),
        _output_param(),
    )

    def form(self, params):
        amounts = {}
        for name, field in (
            ("cancel_amount", "cancelAmount"),
            ("tax_scope_amount", "taxScopeAmount"),
            ("tax_ex_scope_amount", "taxExScopeAmount"),
        ):
            raw = str(params.get(name) if params.get(name) not in (None, "") else "0").replace(",", "").strip()
            if not raw.isdigit():
                raise NodeError(
                    gettext_noop("%(field)s must be a whole number of won (got “%(value)s”)."),
                    code="bad_amount",
                    values={"field": name, "value": raw},
                )
            amounts[field] = raw
        if int(amounts["cancelAmount"]) <= 0 or int(amounts["taxScopeAmount"]) + int(amounts["taxExScopeAmount"]) != int(
            amounts["cancelAmount"]
        ):
            raise NodeError(gettext_noop("The taxable and tax-exempt parts must add up to the amount to cancel."), code="bad_amount")
        # cancelRequester 2: the shop cancels (1 would be the buyer).
        return {"paymentId": _text(params, "payment_id"), "cancelReason": _text(params, "cancel_reason"), "cancelRequester": "2", **amounts}


# ---- The payment result trigger ------------------------------------------------------------------------------

DEFAULT_STATES = ["SUCCESS"]


@register
class NaverPayPaymentResult(PaymentResultTrigger):
    key = "naverpay.payment_result"
    icon = "naverpay"
    label = t("NaverPay payment result", "네이버페이 결제 결과")
    description = t(
        "Starts the flow when this flow's address is called with a NaverPay paymentId — NaverPay's return address "
        "(returnUrl, called with resultCode and paymentId) or your shop after approving. The call is not trusted: the "
        "payment is looked up at NaverPay and the flow starts only in the states you choose, once per payment state.",
        "이 플로우 주소가 네이버페이 paymentId와 함께 호출되면 플로우를 시작합니다(resultCode와 paymentId를 붙여 부르는 "
        "네이버페이 returnUrl, 또는 승인을 마친 쇼핑몰). 호출 자체는 믿지 않고 네이버페이에서 결제를 조회해, 고른 상태일 "
        "때만 결제 상태마다 한 번 시작합니다.",
    )
    params = (
        _credential_param(),
        Param(
            "states",
            "list",
            t("Start only in these states", "이 상태일 때만 시작"),
            default=DEFAULT_STATES,
            expressions=False,
            help=t(
                "NaverPay admissionState values such as SUCCESS or FAIL; empty: every state. A payment not yet "
                "approved is READY: approve it in the flow with the NaverPay approve step, started by the READY state.",
                "SUCCESS, FAIL 같은 네이버페이 admissionState 값입니다. 비우면 모든 상태에서 시작합니다. 아직 승인하지 "
                "않은 결제는 READY이며, READY로 시작한 플로우에서 네이버페이 결제 승인 단계로 승인하세요.",
            ),
        ),
        Param("methods", "list", t("Accepted methods", "받는 방식"), default=["GET", "POST"], expressions=False),
    )

    def receive_webhook(self, inbound, *, params, host):
        values = webhook_values(inbound)
        payment_id = values.get("paymentId", "").strip()
        if not payment_id:
            return IgnoreCall(_("The call names no NaverPay payment (paymentId)."))
        ctx, credential = CHECK.credential(host, params, usable=lambda c: bool(_partner(c)))
        path = f"/{quote(_partner(credential), safe='')}/naverpay/payments/v2.2/list/history"
        answer = CHECK.look_up(lambda: call(ctx, NAVERPAY, "POST", path, credential=credential, form={"paymentId": payment_id}).json())
        if isinstance(answer, IgnoreCall):
            return answer
        entries = [e for e in ((answer or {}).get("body") or {}).get("list") or [] if isinstance(e, dict)]
        payment = next((e for e in entries if str(e.get("paymentId") or "") == payment_id), None)
        if payment is None:
            return IgnoreCall(CHECK.not_found())
        state = str(payment.get("admissionState") or "")
        mark = f"{payment.get('cancelAmount', 0)}:{payment.get('admissionYmdt', '')}"
        item = {**payment, "result_code": values.get("resultCode", ""), "verified_by": "lookup"}
        return start_for_state(
            item, state=state, chosen=params.get("states", DEFAULT_STATES), event_key=f"naverpay:{payment_id}:{state}:{mark}"
        )


def _partner(credential: Credential) -> str:
    return str(credential.data.get("partner_id") or "").strip()


CHECK = PaymentCheck(
    kind=KIND,
    misconfigured=lambda: _("This flow's NaverPay step has no usable NaverPay credential. Choose one in the editor."),
    not_found=lambda: _("NaverPay does not know this payment; the call was ignored."),
    unavailable=lambda: _("The payment could not be checked with NaverPay just now. Try again later."),
    not_found_codes=frozenset({"naverpay_not_owner"}),
)
