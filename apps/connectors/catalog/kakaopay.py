"""KakaoPay online payments (open-api.kakaopay.com): ready, approve, look up and cancel a single payment, with the
shop's secret key (`Authorization: SECRET_KEY …`) and its CID.

KakaoPay answers errors as {"error_code": -780, "error_message": "approval failure!", "extras": {"method_result_code":
..., "method_result_message": ...}}; the card company's own reason, when there is one, is in `extras`."""

from __future__ import annotations

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
    "-401": (
        "kakaopay_unauthorized",
        gettext_noop(
            "KakaoPay refused the secret key (%(code)s). Copy the Secret key again from the KakaoPay developers site "
            "(developers.kakaopay.com) → Application → your application (test keys start with DEV)."
        ),
    ),
    "-701": (
        "kakaopay_not_authenticated",
        gettext_noop(
            "The customer has not finished paying in the KakaoPay window yet (%(code)s); approve after the approval address is called."
        ),
    ),
    "-702": ("kakaopay_already_approved", gettext_noop("This KakaoPay payment (tid) is already approved (%(code)s). Look it up instead.")),
    "-706": (
        "kakaopay_order_mismatch",
        gettext_noop("The order ID differs from the one given when the payment was prepared (%(code)s). Use the same partner_order_id."),
    ),
    "-707": (
        "kakaopay_user_mismatch",
        gettext_noop("The customer ID differs from the one given when the payment was prepared (%(code)s). Use the same partner_user_id."),
    ),
    "-708": (
        "kakaopay_bad_token",
        gettext_noop("KakaoPay does not accept this pg_token (%(code)s). Use the one from the approval address."),
    ),
    "-710": (
        "kakaopay_not_cancelable_amount",
        gettext_noop("KakaoPay cannot cancel this amount (%(code)s): it is more than what can still be cancelled."),
    ),
    "-721": ("kakaopay_not_found", gettext_noop("KakaoPay has no such payment (%(code)s). Check the tid and that the CID is the shop's.")),
    "-723": (
        "kakaopay_expired",
        gettext_noop("The KakaoPay payment expired before it was approved (%(code)s). The customer has to pay again."),
    ),
    "-780": (
        "kakaopay_approval_failed",
        gettext_noop("KakaoPay could not approve the payment (%(code)s: %(reason)s). Ask the customer to try another card or method."),
    ),
}


def _kakaopay_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if answer.status < 400 or not isinstance(body, dict) or "error_code" not in body:
        return None
    code = str(body["error_code"])
    extras = body.get("extras") if isinstance(body.get("extras"), dict) else {}
    reason = str(extras.get("method_result_message") or body.get("error_message") or "")
    error_code, template = _ERRORS.get(code) or ("kakaopay_error", gettext_noop("KakaoPay refused the request (%(code)s: %(reason)s)."))
    return provider_error(template, code=error_code, service=KAKAOPAY, provider_code=code, answer=answer, reason=reason)


KAKAOPAY = Service("kakaopay", "KakaoPay", "https://open-api.kakaopay.com", _kakaopay_error)
KIND = "kakaopay"


@register_credential_kind
class KakaoPaySecretKey(CredentialKind):
    icon = "kakaopay"
    key = KIND
    label = t("KakaoPay secret key and CID", "카카오페이 시크릿 키와 CID")
    http_auth = True
    fields = (
        Field("secret_key", t("Secret key", "시크릿 키(Secret key)")),
        Field("cid", t("CID (shop code; TC0ONETIME for tests)", "가맹점 코드 CID(테스트는 TC0ONETIME)"), secret=False),
    )
    help = t(
        "KakaoPay developers (developers.kakaopay.com) → Application → your application: the Secret key (test keys "
        "start with DEV). The CID comes with your KakaoPay shop contract; TC0ONETIME is the test CID.",
        "카카오페이 개발자센터(developers.kakaopay.com) → 애플리케이션 → 해당 애플리케이션의 Secret key입니다(테스트 키는 "
        "DEV로 시작). CID는 카카오페이 가맹 계약 시 받는 가맹점 코드이며, 테스트용은 TC0ONETIME입니다.",
    )

    def authenticate(self, request, data):
        request.headers["Authorization"] = f"SECRET_KEY {data.get('secret_key', '')}"


def _credential_param():
    return Param("credential", "credential", t("KakaoPay key", "카카오페이 키"), required=True, credential_type=KIND, expressions=False)


def _output_param(default: str):
    return Param("output_field", "string", t("Put KakaoPay's answer in", "카카오페이 응답을 넣을 필드"), default=default, expressions=False)


def _text(params, name: str) -> str:
    value = str(params.get(name) if params.get(name) is not None else "").strip()
    if not value:
        raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": name})
    return value


def _amount(value, *, name: str, allow_zero: bool = False) -> int:
    try:
        amount = int(str(value).replace(",", "").strip())
    except ValueError:
        amount = -1
    if amount < 0 or (amount == 0 and not allow_zero):
        raise NodeError(
            gettext_noop("%(field)s must be a whole number of won (got “%(value)s”)."),
            code="bad_amount",
            values={"field": name, "value": str(value)},
        )
    return amount


class _KakaoPayStep(NodeType):
    category = "action"
    icon = "kakaopay"
    path: str
    output = "kakaopay"

    def body(self, params, cid: str) -> dict:
        raise NotImplementedError

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            cid = str(credential.data.get("cid") or "").strip()
            if not cid:
                raise NodeError(
                    gettext_noop("The KakaoPay credential has no CID. Add the shop's CID on the Connections page."), code="missing_cid"
                )
            answer = call(ctx, KAKAOPAY, "POST", self.path, credential=credential, json_body=self.body(params, cid)).json()
            result = copy_item(item)
            set_path(result, params.get("output_field") or self.output, answer or {})
            out.append(result)
        return {"main": out}


@register
class KakaoPayReady(_KakaoPayStep):
    key = "kakaopay.ready"
    side_effects = True
    path = "/online/v1/payment/ready"
    label = t("Prepare KakaoPay payment", "카카오페이 결제 준비")
    description = t(
        "Prepares a single KakaoPay payment and returns its tid and the addresses where the customer pays "
        "(next_redirect_pc_url, next_redirect_mobile_url).",
        "카카오페이 단건 결제를 준비하고 tid와 고객이 결제할 주소(next_redirect_pc_url, next_redirect_mobile_url)를 돌려줍니다.",
    )
    params = (
        _credential_param(),
        Param("partner_order_id", "string", t("Order ID", "주문 번호"), required=True),
        Param("partner_user_id", "string", t("Customer ID", "회원 ID"), required=True),
        Param("item_name", "string", t("Item name", "상품명"), required=True),
        Param("quantity", "integer", t("Quantity", "수량"), default=1, minimum=1),
        Param("total_amount", "string", t("Total amount (won)", "총 금액(원)"), required=True),
        Param("tax_free_amount", "string", t("Tax-free amount (won)", "비과세 금액(원)"), default="0"),
        Param("approval_url", "string", t("Address after payment (approval_url)", "결제 성공 시 주소(approval_url)"), required=True),
        Param("cancel_url", "string", t("Address if the customer cancels", "결제 취소 시 주소"), required=True),
        Param("fail_url", "string", t("Address if the payment fails", "결제 실패 시 주소"), required=True),
        _output_param("kakaopay"),
    )

    def body(self, params, cid):
        return {
            "cid": cid,
            "partner_order_id": _text(params, "partner_order_id"),
            "partner_user_id": _text(params, "partner_user_id"),
            "item_name": _text(params, "item_name"),
            "quantity": int(params.get("quantity") or 1),
            "total_amount": _amount(params.get("total_amount"), name="total_amount"),
            "tax_free_amount": _amount(params.get("tax_free_amount") or 0, name="tax_free_amount", allow_zero=True),
            "approval_url": _text(params, "approval_url"),
            "cancel_url": _text(params, "cancel_url"),
            "fail_url": _text(params, "fail_url"),
        }


@register
class KakaoPayApprove(_KakaoPayStep):
    key = "kakaopay.approve"
    side_effects = True
    path = "/online/v1/payment/approve"
    label = t("Approve KakaoPay payment", "카카오페이 결제 승인")
    description = t(
        "Approves a KakaoPay payment after the customer paid, with the pg_token KakaoPay added to the approval address.",
        "고객이 결제한 뒤 카카오페이가 승인 주소에 붙여 준 pg_token으로 결제를 승인합니다.",
    )
    params = (
        _credential_param(),
        Param("tid", "string", t("Payment ID (tid)", "결제 고유번호(tid)"), required=True),
        Param("partner_order_id", "string", t("Order ID", "주문 번호"), required=True),
        Param("partner_user_id", "string", t("Customer ID", "회원 ID"), required=True),
        Param("pg_token", "string", t("pg_token", "pg_token"), required=True),
        _output_param("kakaopay"),
    )

    def body(self, params, cid):
        return {"cid": cid, **{name: _text(params, name) for name in ("tid", "partner_order_id", "partner_user_id", "pg_token")}}


@register
class KakaoPayOrder(_KakaoPayStep):
    key = "kakaopay.order"
    path = "/online/v1/payment/order"
    label = t("Look up KakaoPay payment", "카카오페이 결제 조회")
    description = t(
        "Reads a KakaoPay payment by its tid: status (e.g. SUCCESS_PAYMENT, CANCEL_PAYMENT), amounts and history.",
        "tid로 카카오페이 결제를 조회합니다: 상태(SUCCESS_PAYMENT, CANCEL_PAYMENT 등), 금액, 내역.",
    )
    params = (
        _credential_param(),
        Param("tid", "string", t("Payment ID (tid)", "결제 고유번호(tid)"), required=True),
        _output_param("kakaopay"),
    )

    def body(self, params, cid):
        return {"cid": cid, "tid": _text(params, "tid")}


@register
class KakaoPayCancel(_KakaoPayStep):
    key = "kakaopay.cancel"
    side_effects = True
    path = "/online/v1/payment/cancel"
    label = t("Cancel KakaoPay payment", "카카오페이 결제 취소")
    description = t("Cancels all or part of an approved KakaoPay payment.", "승인된 카카오페이 결제를 전액 또는 부분 취소합니다.")
    params = (
        _credential_param(),
        Param("tid", "string", t("Payment ID (tid)", "결제 고유번호(tid)"), required=True),
        Param("cancel_amount", "string", t("Amount to cancel (won)", "취소 금액(원)"), required=True),
        Param("cancel_tax_free_amount", "string", t("Tax-free part of it (won)", "그중 비과세 금액(원)"), default="0"),
        _output_param("kakaopay"),
    )

    def body(self, params, cid):
        return {
            "cid": cid,
            "tid": _text(params, "tid"),
            "cancel_amount": _amount(params.get("cancel_amount"), name="cancel_amount"),
            "cancel_tax_free_amount": _amount(params.get("cancel_tax_free_amount") or 0, name="cancel_tax_free_amount", allow_zero=True),
        }


# ---- The payment result trigger ------------------------------------------------------------------------------

DEFAULT_STATUSES = ["SUCCESS_PAYMENT"]


@register
class KakaoPayPaymentResult(PaymentResultTrigger):
    key = "kakaopay.payment_result"
    icon = "kakaopay"
    label = t("KakaoPay payment result", "카카오페이 결제 결과")
    description = t(
        "Starts the flow when this flow's address is called with a KakaoPay payment ID (tid) — from your shop's "
        "approval page, or a flow that approved the payment. The call itself is not trusted: the payment is looked up "
        "at KakaoPay and the flow starts only for the statuses you choose, once per payment status.",
        "이 플로우 주소가 카카오페이 결제 고유번호(tid)와 함께 호출되면 플로우를 시작합니다(쇼핑몰의 승인 페이지나 결제를 "
        "승인한 플로우에서 호출). 호출 자체는 믿지 않고 카카오페이에서 결제를 조회해, 고른 상태일 때만 결제 상태마다 "
        "한 번 시작합니다.",
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
                "KakaoPay statuses such as SUCCESS_PAYMENT, CANCEL_PAYMENT, PART_CANCEL_PAYMENT, FAIL_PAYMENT; empty: every status.",
                "SUCCESS_PAYMENT, CANCEL_PAYMENT, PART_CANCEL_PAYMENT, FAIL_PAYMENT 같은 카카오페이 상태입니다. "
                "비우면 모든 상태에서 시작합니다.",
            ),
        ),
        Param("methods", "list", t("Accepted methods", "받는 방식"), default=["GET", "POST"], expressions=False),
    )

    def receive_webhook(self, call, *, params, host):
        tid = webhook_values(call).get("tid", "").strip()
        if not tid:
            return IgnoreCall(_("The call names no KakaoPay payment (tid)."))
        ctx, credential = CHECK.credential(host, params)
        cid = str(credential.data.get("cid") or "").strip()
        order = CHECK.look_up(lambda: call_order(ctx, credential, cid, tid))
        if isinstance(order, IgnoreCall):
            return order
        status = str(order.get("status") or "")
        mark = order.get("canceled_at") or order.get("approved_at") or ""
        item = {**order, "verified_by": "lookup"}
        return start_for_state(
            item, state=status, chosen=params.get("statuses", DEFAULT_STATUSES), event_key=f"kakaopay:{tid}:{status}:{mark}"
        )


CHECK = PaymentCheck(
    kind=KIND,
    misconfigured=lambda: _("This flow's KakaoPay step has no usable KakaoPay key. Choose one in the editor."),
    not_found=lambda: _("KakaoPay does not know this payment; the call was ignored."),
    unavailable=lambda: _("The payment could not be checked with KakaoPay just now. Try again later."),
    not_found_codes=frozenset({"kakaopay_not_found"}),
)


def call_order(ctx, credential: Credential, cid: str, tid: str) -> dict:
    answer = call(ctx, KAKAOPAY, "POST", "/online/v1/payment/order", credential=credential, json_body={"cid": cid, "tid": tid}).json()
    return answer if isinstance(answer, dict) else {}
