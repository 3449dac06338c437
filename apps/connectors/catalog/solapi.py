"""Korean text messages through Solapi (api.solapi.com): SMS/LMS and KakaoTalk AlimTalk (알림톡, type ATA), sent in
one `POST /messages/v4/send-many/detail` call per step.

Every request is signed: `Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<random>, signature=<hex
HMAC-SHA256(api secret, date + salt)>`; a date more than 15 minutes off or a reused salt is refused.

Solapi answers request errors as HTTP 4xx `{"errorCode": "ValidationError", "errorMessage": "..."}`. A request it
accepts can still refuse single messages: HTTP 200 with each refused one in `failedMessageList` (`statusCode`,
`statusMessage`, e.g. 1062 for a sender number that is not registered) and the counts in `groupInfo.count`."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from apps.connectors.http import Answer, Credential, Service, call, provider_error
from apps.flows.credential_kinds import CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.error_text import engine_error_text
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

SMS_MAX_BYTES = 90  # Korean carriers count Hangul as 2 bytes (EUC-KR), so 45 Korean letters
LMS_MAX_BYTES = 2000
MAX_MESSAGES = 10_000  # one send-many call

_ERRORS = {
    "InvalidAPIKey": (
        "solapi_unauthorized",
        gettext_noop(
            "Solapi does not know this API key (%(code)s). Copy the API key and secret again from the Solapi console "
            "(console.solapi.com) → Developers → API keys, and update the credential on the Connections page."
        ),
    ),
    "SignatureDoesNotMatch": (
        "solapi_unauthorized",
        gettext_noop(
            "Solapi refused the signature (%(code)s): the API secret does not belong to the API key. Copy the secret "
            "again from the Solapi console → Developers → API keys."
        ),
    ),
    "RequestTimeTooSkewed": (
        "solapi_clock",
        gettext_noop(
            "Solapi refused the request because this server's clock is off by more than 15 minutes (%(code)s). Ask your administrator."
        ),
    ),
    "NotEnoughBalance": (
        "solapi_balance",
        gettext_noop("The Solapi account has not enough balance to send these messages (%(code)s). Top up in the Solapi console."),
    ),
    "ValidationError": ("solapi_invalid", gettext_noop("Solapi refused the messages (%(code)s: %(reason)s).")),
    "FailedToAddMessage": ("solapi_invalid", gettext_noop("Solapi refused the messages (%(code)s: %(reason)s).")),
}

# Why Solapi refused one message (`failedMessageList[].statusCode`), said in words.
_MESSAGE_ERRORS = {
    "1062": gettext_noop(
        "Solapi refused the message to %(to)s (%(code)s): the sender number %(sender)s is not registered "
        "(발신번호 사전등록). Register it in the Solapi console → Sender numbers before sending from it."
    ),
    "3059": gettext_noop(
        "Solapi refused the message to %(to)s (%(code)s): the AlimTalk template does not exist for this channel or is "
        "not approved yet. Check the template ID and the pfId."
    ),
    "3034": gettext_noop(
        "Solapi refused the message to %(to)s (%(code)s): the variables do not match the AlimTalk template. Give "
        "exactly the template's #{…} variables."
    ),
}
_GENERIC_MESSAGE_ERROR = gettext_noop("Solapi refused the message to %(to)s (%(code)s: %(reason)s).")


def _say(template: str, values: dict) -> str:
    return engine_error_text(template % values, {"template": template, "values": values})


def _solapi_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if answer.status < 400 or not isinstance(body, dict) or "errorCode" not in body:
        return None
    code = str(body["errorCode"])
    error_code, template = _ERRORS.get(code) or ("solapi_error", gettext_noop("Solapi refused the request (%(code)s: %(reason)s)."))
    return provider_error(
        template, code=error_code, service=SOLAPI, provider_code=code, answer=answer, reason=str(body.get("errorMessage") or "")
    )


SOLAPI = Service("solapi", "Solapi", "https://api.solapi.com", _solapi_error)
KIND = "solapi"


def authorization(api_key: str, api_secret: str, *, date: str | None = None, salt: str | None = None) -> str:
    date = date or datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    salt = salt or secrets.token_hex(16)
    signature = hmac.new(api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}"


@register_credential_kind
class SolapiKey(CredentialKind):
    key = KIND
    label = t("Solapi API key (SMS, AlimTalk)", "솔라피 API 키(문자, 알림톡)")
    http_auth = True
    fields = (
        Field("api_key", t("API key", "API 키"), secret=False),
        Field("api_secret", t("API secret", "API 시크릿")),
    )
    help = t(
        "Solapi console (console.solapi.com) → Developers → API keys: create a key and copy the API key and the API "
        "secret (shown once). The sender numbers you send from must be registered in the console first.",
        "솔라피 콘솔(console.solapi.com) → 개발/연동 → API Key 관리에서 키를 만들고 API 키와 API 시크릿(한 번만 표시)을 "
        "복사하세요. 보내는 번호(발신번호)는 콘솔에 먼저 등록해야 합니다.",
    )

    def authenticate(self, request, data):
        # A fresh date and salt per request: Solapi refuses a salt it has seen.
        request.headers["Authorization"] = authorization(str(data.get("api_key", "")), str(data.get("api_secret", "")))

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            answer = send_probe(url or SOLAPI.url("/cash/v1/balance"), allow_hosts=allow_hosts, request=request)
        except ProbeFailed as failed:
            return failed.result
        if answer.status == 200:
            return TestResult(True, gettext_noop("Solapi accepted the API key and secret."))
        return TestResult(False, gettext_noop("Solapi refused the API key or secret (HTTP %(status)s)."), {"status": str(answer.status)})


def sms_bytes(text: str) -> int:
    """The length carriers bill: 1 byte per ASCII character, 2 for anything else (Hangul in EUC-KR)."""
    return sum(1 if ord(ch) < 128 else 2 for ch in text)


def phone_number(value, *, field: str) -> str:
    digits = re.sub(r"[\s().+-]", "", str(value if value is not None else ""))
    if not digits:
        raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": field})
    if not digits.isdigit() or not 8 <= len(digits) <= 12:
        raise NodeError(
            gettext_noop("“%(value)s” is not a Korean phone number (%(field)s). Write it like 010-1234-5678 or 02-123-4567."),
            code="bad_phone_number",
            values={"value": str(value), "field": field},
        )
    return digits


def _credential_param():
    return Param("credential", "credential", t("Solapi key", "솔라피 키"), required=True, credential_type=KIND, expressions=False)


def _sender_param(required: bool = True):
    return Param(
        "sender",
        "string",
        t("Sender number", "발신번호"),
        required=required,
        help=t(
            "Must be registered in the Solapi console (Korean law: 발신번호 사전등록); an unregistered number is refused.",
            "솔라피 콘솔에 등록한 번호여야 합니다(발신번호 사전등록제). 등록하지 않은 번호는 거절됩니다.",
        ),
    )


def _output_param():
    return Param("output_field", "string", t("Put the result in", "결과를 넣을 필드"), default="message", expressions=False)


def _send(ctx, credential: Credential, messages: list[dict]) -> dict:
    if len(messages) > MAX_MESSAGES:
        raise NodeError(
            gettext_noop("Solapi sends at most %(max)s messages at once; split the items (e.g. with a batch step)."),
            code="too_many_messages",
            values={"max": str(MAX_MESSAGES)},
        )
    answer = call(
        ctx,
        SOLAPI,
        "POST",
        "/messages/v4/send-many/detail",
        credential=credential,
        json_body={"messages": messages, "showMessageList": True},
    ).json()
    return answer if isinstance(answer, dict) else {}


def _results(ctx, params_list, items, messages, answer) -> list[dict]:
    """One output item per input item: Solapi's message ID when accepted, the reason in words when refused (`sent`
    false, `error`). The step fails only when every message was refused: then nothing was sent and it can simply run
    again; a partly sent batch succeeds so that a retry does not send the accepted messages twice."""
    group_id = str((answer.get("groupInfo") or {}).get("groupId") or answer.get("groupId") or "")
    accepted = list(answer.get("messageList") or [])
    failed = list(answer.get("failedMessageList") or [])
    out, reasons = [], []
    for index, (item, params, message) in enumerate(zip(items, params_list, messages, strict=True)):
        refusal = _match(failed, message, index)
        result = {"to": message["to"], "type": message["type"], "group_id": group_id}
        if refusal is not None:
            failed.remove(refusal)
            code = str(refusal.get("statusCode") or "")
            template = _MESSAGE_ERRORS.get(code, _GENERIC_MESSAGE_ERROR)
            values = {
                "code": code,
                "reason": str(refusal.get("statusMessage") or ""),
                "sender": message.get("from", ""),
                "to": message["to"],
            }
            reasons.append((template, values))
            result.update(sent=False, status_code=code, status_message=values["reason"], error=_say(template, values))
        else:
            sent = _match(accepted, message, index) or {}
            if sent in accepted:
                accepted.remove(sent)
            result.update(
                sent=True,
                message_id=str(sent.get("messageId") or ""),
                status_code=str(sent.get("statusCode") or ""),
                status_message=str(sent.get("statusMessage") or ""),
            )
        item = copy_item(item)
        set_path(item, params.get("output_field") or "message", result)
        out.append(item)
    if messages and len(reasons) == len(messages):
        # Nothing was sent: the step fails with the first refusal (the others are in the same words on each item).
        template, values = reasons[0]
        raise NodeError(template, code="solapi_refused", values=values)
    return out


def _match(entries: list, message: dict, index: int):
    """The first of Solapi's entries for this message: same recipient, type and sender (Solapi keeps the order)."""
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("to") != message["to"]:
            continue
        if entry.get("type", message["type"]) == message["type"] and (entry.get("from") or "") == (message.get("from") or ""):
            return entry
    return None


@register
class SolapiSendText(NodeType):
    key = "solapi.send_text"
    category = "action"
    icon = "sms"
    side_effects = True
    label = t("Send text message (SMS/LMS)", "문자 보내기(SMS/LMS)")
    description = t(
        "Sends a text message to a Korean mobile number through Solapi, one per item. Up to 90 bytes (45 Korean "
        "letters) goes as SMS, longer text as LMS (up to 2,000 bytes, with a title).",
        "솔라피로 항목마다 문자를 보냅니다. 90바이트(한글 45자)까지는 단문(SMS), 더 길면 장문(LMS, 2,000바이트까지, "
        "제목 포함)으로 보냅니다.",
    )
    params = (
        _credential_param(),
        _sender_param(),
        Param("to", "string", t("Recipient number", "받는 번호"), required=True),
        Param("text", "text", t("Message", "내용"), required=True),
        Param(
            "message_type",
            "select",
            t("Type", "종류"),
            default="auto",
            expressions=False,
            options=(
                ("auto", t("By length (SMS up to 90 bytes, else LMS)", "길이에 따라(90바이트까지 SMS, 넘으면 LMS)")),
                ("SMS", t("SMS only (fails above 90 bytes)", "SMS만(90바이트를 넘으면 실패)")),
                ("LMS", t("LMS", "LMS")),
            ),
            help=t(
                "Korean letters count 2 bytes, letters and digits 1. LMS costs more than SMS.",
                "한글은 2바이트, 영문·숫자는 1바이트로 셉니다. LMS는 SMS보다 요금이 높습니다.",
            ),
        ),
        Param("subject", "string", t("LMS title", "LMS 제목"), default=""),
        _output_param(),
    )

    def execute(self, ctx):
        credential, items, params_list, messages = None, [], [], []
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            text = str(params.get("text") or "")
            if not text.strip():
                raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": "text"})
            size = sms_bytes(text)
            kind = params.get("message_type") or "auto"
            if kind == "auto":
                kind = "SMS" if size <= SMS_MAX_BYTES else "LMS"
            if kind == "SMS" and size > SMS_MAX_BYTES:
                raise NodeError(
                    gettext_noop("The message is %(size)s bytes; an SMS holds 90 (45 Korean letters). Choose LMS or “By length”."),
                    code="sms_too_long",
                    values={"size": str(size)},
                )
            if size > LMS_MAX_BYTES:
                raise NodeError(
                    gettext_noop("The message is %(size)s bytes; an LMS holds at most 2,000. Shorten it."),
                    code="lms_too_long",
                    values={"size": str(size)},
                )
            message = {
                "to": phone_number(params.get("to"), field="to"),
                "from": phone_number(params.get("sender"), field="sender"),
                "text": text,
                "type": kind,
            }
            if kind == "LMS" and str(params.get("subject") or "").strip():
                message["subject"] = str(params["subject"]).strip()
            items.append(item)
            params_list.append(params)
            messages.append(message)
        if not messages:
            return {"main": []}
        answer = _send(ctx, credential, messages)
        return {"main": _results(ctx, params_list, items, messages, answer)}


_VARIABLE = re.compile(r"^#\{[^{}]+\}$")


def template_variables(values) -> dict:
    """{"이름": "홍길동"} or {"#{이름}": "홍길동"} → Solapi's {"#{이름}": "홍길동"}."""
    out = {}
    for name, value in (values or {}).items():
        name = str(name).strip()
        if not name:
            continue
        out[name if _VARIABLE.match(name) else "#{" + name.strip("#{}") + "}"] = "" if value is None else str(value)
    return out


@register
class SolapiSendAlimtalk(NodeType):
    key = "solapi.send_alimtalk"
    category = "action"
    icon = "kakao"
    side_effects = True
    label = t("Send KakaoTalk AlimTalk", "카카오 알림톡 보내기")
    description = t(
        "Sends a KakaoTalk notification (AlimTalk) from your Kakao channel through Solapi, one per item, from an "
        "approved template with its variables filled in. If KakaoTalk cannot deliver it, a text message can be sent instead.",
        "솔라피로 카카오 채널의 알림톡을 항목마다 보냅니다. 검수 승인된 템플릿에 변수 값을 채워 보내며, 카카오톡으로 "
        "전달되지 않으면 문자로 대신 보낼 수 있습니다.",
    )
    params = (
        _credential_param(),
        Param(
            "pf_id",
            "string",
            t("Channel ID (pfId)", "채널 ID(pfId)"),
            required=True,
            expressions=False,
            help=t(
                "The Kakao channel linked in the Solapi console → KakaoTalk channels (starts with KA01PF).",
                "솔라피 콘솔 → 카카오톡 채널에 연동한 채널의 ID입니다(KA01PF로 시작).",
            ),
        ),
        Param(
            "template_id",
            "string",
            t("Template ID", "템플릿 ID"),
            required=True,
            help=t(
                "An AlimTalk template approved by Kakao for this channel (Solapi console → AlimTalk templates).",
                "이 채널에서 카카오 검수 승인을 받은 알림톡 템플릿의 ID입니다(솔라피 콘솔 → 알림톡 템플릿).",
            ),
        ),
        Param("to", "string", t("Recipient number", "받는 번호"), required=True),
        Param(
            "variables",
            "keyvalue",
            t("Template variables", "템플릿 변수"),
            default={},
            help=t(
                "One entry per #{…} in the template, e.g. 고객명 → {{ json.name }}; the names must match the template exactly.",
                "템플릿의 #{…}마다 하나씩 적습니다(예: 고객명 → {{ json.name }}). 이름이 템플릿과 정확히 같아야 합니다.",
            ),
        ),
        Param(
            "fallback_sms",
            "boolean",
            t("Send a text message if AlimTalk fails", "알림톡 실패 시 문자로 대신 보내기"),
            default=False,
            expressions=False,
        ),
        _sender_param(required=False),
        _output_param(),
    )

    def execute(self, ctx):
        credential, items, params_list, messages = None, [], [], []
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            pf_id = str(params.get("pf_id") or "").strip()
            template_id = str(params.get("template_id") or "").strip()
            for field, value in (("pfId", pf_id), ("templateId", template_id)):
                if not value:
                    raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": field})
            fallback = bool(params.get("fallback_sms"))
            message = {
                "to": phone_number(params.get("to"), field="to"),
                "type": "ATA",
                "kakaoOptions": {
                    "pfId": pf_id,
                    "templateId": template_id,
                    "variables": template_variables(params.get("variables")),
                    "disableSms": not fallback,
                },
            }
            if fallback or str(params.get("sender") or "").strip():
                message["from"] = phone_number(params.get("sender"), field="sender")
            items.append(item)
            params_list.append(params)
            messages.append(message)
        if not messages:
            return {"main": []}
        answer = _send(ctx, credential, messages)
        return {"main": _results(ctx, params_list, items, messages, answer)}
