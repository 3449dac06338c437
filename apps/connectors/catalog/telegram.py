"""Telegram: a bot sends a message (Bot API `sendMessage`).

The bot token travels in the address (https://api.telegram.org/bot<token>/sendMessage), so every error is scrubbed of
it before the run records it. The Bot API answers errors as {"ok": false, "error_code": 400, "description": "Bad
Request: chat not found"} and rate limits as error_code 429 with {"parameters": {"retry_after": seconds}}."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from django.utils.translation import gettext as _

from apps.connectors import n8n
from apps.connectors.http import RATE_LIMITED, Answer, Credential, HostContext, Service, call, provider_error
from apps.connectors.params import scrubbed
from apps.core.errors import DomainError
from apps.core.jsonbody import JSONInputError, json_loads
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register
from apps.flows.triggers.inbound import IgnoreCall, StartRun

logger = logging.getLogger("ezflow.connectors")
TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
MAX_TEXT = 4096

# Bot API descriptions (the text after "Bad Request: " or "Forbidden: ") → our code and what to do.
_KNOWN = (
    (
        "chat not found",
        "telegram_chat_not_found",
        gettext_noop(
            "Telegram does not know this chat (%(code)s: %(reason)s). Check the chat ID, and make sure the person has "
            "pressed Start in a chat with the bot (or the bot was added to the group)."
        ),
    ),
    (
        "bot was blocked by the user",
        "telegram_blocked",
        gettext_noop("The person blocked the bot (%(code)s: %(reason)s). They have to unblock it and press Start again."),
    ),
    (
        "bot was kicked",
        "telegram_kicked",
        gettext_noop("The bot was removed from this group or channel (%(code)s: %(reason)s). Add it again."),
    ),
    (
        "not enough rights",
        "telegram_no_rights",
        gettext_noop("The bot may not post here (%(code)s: %(reason)s). In a channel, make the bot an administrator that may post."),
    ),
    (
        "can't parse entities",
        "telegram_bad_formatting",
        gettext_noop(
            "Telegram could not read the formatting of the message (%(code)s: %(reason)s). Check the tags or Markdown "
            "characters, or choose “plain text”."
        ),
    ),
    ("message text is empty", "telegram_empty_message", gettext_noop("The message is empty (%(code)s). Fill in the text.")),
    (
        "message is too long",
        "telegram_too_long",
        gettext_noop("The message is too long for Telegram (%(code)s): at most 4,096 characters."),
    ),
)


def _telegram_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if not isinstance(body, dict) or body.get("ok") is not False:
        return None
    code, reason = str(body.get("error_code") or answer.status), str(body.get("description") or "")
    if code == "401":
        template = gettext_noop(
            "Telegram refused the bot token (%(code)s: %(reason)s). Copy the token again from @BotFather (/mybots → "
            "your bot → API Token) and update the credential on the Connections page."
        )
        return provider_error(template, code="telegram_unauthorized", service=TELEGRAM, provider_code=code, answer=answer, reason=reason)
    if code == "429":
        seconds = (body.get("parameters") or {}).get("retry_after")
        template = gettext_noop(
            "Telegram is receiving too many messages from this bot (%(code)s). It asks to wait %(seconds)s seconds: run "
            "the step again later, or send fewer messages at once."
        )
        return provider_error(
            template,
            code=RATE_LIMITED,
            service=TELEGRAM,
            provider_code=code,
            answer=answer,
            seconds=str(seconds if seconds is not None else "?"),
        )
    lowered = reason.lower()
    for words, error_code, template in _KNOWN:
        if words in lowered:
            return provider_error(template, code=error_code, service=TELEGRAM, provider_code=code, answer=answer, reason=reason)
    template = gettext_noop("Telegram refused the request (%(code)s: %(reason)s).")
    return provider_error(template, code="telegram_error", service=TELEGRAM, provider_code=code, answer=answer, reason=reason)


TELEGRAM = Service("telegram", "Telegram", "https://api.telegram.org", _telegram_error)


@register_credential_kind
class TelegramBot(CredentialKind):
    icon = "telegram"
    key = "telegram_bot"
    label = t("Telegram bot token", "텔레그램 봇 토큰")
    fields = (Field("bot_token", t("Bot token", "봇 토큰"), pattern=TOKEN.pattern, example="123456789:AAEexampleexampleexample_1"),)
    help = t(
        "In Telegram, open a chat with @BotFather: send /newbot for a new bot, or /mybots → your bot → API Token. The "
        "token looks like 123456789:AAE… . People must press Start in a chat with the bot before it can write to them.",
        "텔레그램에서 @BotFather와 대화를 여세요. 새 봇은 /newbot, 있는 봇은 /mybots → 봇 선택 → API Token에서 "
        "토큰을 복사합니다(123456789:AAE… 모양). 받는 사람이 먼저 봇과의 대화에서 시작(Start)을 눌러야 메시지를 보낼 수 있습니다.",
    )

    def problems(self, data):
        if not TOKEN.match(str(data.get("bot_token", "")).strip()):
            return [(gettext_noop("A Telegram bot token looks like 123456789:AAE… (digits, a colon, then letters)."), {})]
        return []

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        token = str(data.get("bot_token", "")).strip()
        try:
            answer = send_probe(url or TELEGRAM.url(f"/bot{token}/getMe"), allow_hosts=allow_hosts)
        except ProbeFailed as failed:
            return TestResult(False, failed.result.template.replace(token, "•••"), failed.result.values)
        if answer.status == 401:
            return TestResult(False, gettext_noop("Telegram refused the bot token. Copy it again from @BotFather."))
        if answer.status >= 400:
            return TestResult(
                False, gettext_noop("Telegram answered %(status)s %(reason)s."), {"status": str(answer.status), "reason": answer.reason}
            )
        return TestResult(True, gettext_noop("Telegram accepted the bot token."))


PARSE_MODES = (
    ("", t("plain text", "일반 글")),
    ("HTML", t("HTML (<b>, <i>, <a href>)", "HTML(<b>, <i>, <a href>)")),
    ("MarkdownV2", t("MarkdownV2", "MarkdownV2")),
)


@register
class TelegramSendMessage(NodeType):
    key = "telegram.send_message"
    n8n = (N8nMapping(("n8n-nodes-base.telegram",), n8n.telegram_message, when=n8n.operation_in("sendMessage", resource="message")),)
    category = "action"
    icon = "telegram"
    label = t("Send a Telegram message", "텔레그램 메시지 보내기")
    aliases = ("telegram", "텔레그램")
    description = t(
        "A Telegram bot sends a message to a person, a group or a channel; one message per item.",
        "텔레그램 봇이 사람·그룹·채널에 메시지를 보냅니다. 항목마다 메시지 하나를 보냅니다.",
    )
    params = (
        Param(
            "credential", "credential", t("Telegram bot", "텔레그램 봇"), required=True, credential_type="telegram_bot", expressions=False
        ),
        Param(
            "chat_id",
            "string",
            t("Chat ID", "대화 ID"),
            required=True,
            help=t(
                "A person's or group's number (e.g. 123456789 or -1001234567890), or a public channel's @name. The "
                "person must have pressed Start in a chat with the bot.",
                "사람이나 그룹의 번호(예: 123456789, -1001234567890) 또는 공개 채널의 @이름입니다. 받는 사람이 먼저 봇과의 "
                "대화에서 시작(Start)을 눌러야 합니다.",
            ),
        ),
        Param("text", "text", t("Message", "메시지"), required=True),
        Param("parse_mode", "select", t("Formatting", "서식"), default="", options=PARSE_MODES),
        Param("silent", "boolean", t("Send without sound", "알림음 없이 보내기"), default=False),
        Param("link_preview", "boolean", t("Show link previews", "링크 미리보기 표시"), default=True),
        Param("output_field", "string", t("Put the sent message in", "보낸 메시지를 넣을 필드"), default="telegram", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "telegram_bot")
            token = str(credential.data.get("bot_token", "")).strip()
            chat_id = str(params["chat_id"] or "").strip()
            text = str(params["text"] or "")
            if not chat_id:
                raise NodeError(gettext_noop("Fill in the chat ID."), code="bad_chat_id")
            if not text.strip():
                raise NodeError(gettext_noop("Fill in the message."), code="telegram_empty_message")
            if len(text) > MAX_TEXT:
                raise NodeError(
                    gettext_noop("The message has %(length)s characters; Telegram takes at most 4,096."),
                    code="telegram_too_long",
                    values={"length": str(len(text))},
                )
            body = {"chat_id": chat_id, "text": text, "disable_notification": bool(params["silent"])}
            if params["parse_mode"]:
                body["parse_mode"] = params["parse_mode"]
            if not params["link_preview"]:
                body["link_preview_options"] = {"is_disabled": True}
            try:
                answer = call(ctx, TELEGRAM, "POST", f"/bot{token}/sendMessage", json_body=body).json() or {}
            except NodeError as error:
                raise scrubbed(error, token) from None
            message = answer.get("result") or {}
            sent = copy_item(item)
            set_path(
                sent,
                params["output_field"] or "telegram",
                {"message_id": message.get("message_id"), "chat_id": (message.get("chat") or {}).get("id"), "date": message.get("date")},
            )
            out.append(sent)
        return {"main": out}


MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # what the Bot API takes from a bot


@register
class TelegramSendDocument(NodeType):
    key = "telegram.send_document"
    side_effects = True
    category = "action"
    icon = "telegram"
    label = t("Send a file on Telegram", "텔레그램으로 파일 보내기")
    aliases = ("telegram file", "telegram document", "텔레그램 파일")
    description = t(
        "A Telegram bot sends a file of the item (a report, a PDF, a picture as a file) to a person, a group or a "
        "channel, with a caption; one file per item.",
        "텔레그램 봇이 항목의 파일(보고서, PDF, 파일로 보내는 사진)을 사람·그룹·채널에 설명과 함께 보냅니다. 항목마다 파일 하나입니다.",
    )
    params = (
        Param(
            "credential", "credential", t("Telegram bot", "텔레그램 봇"), required=True, credential_type="telegram_bot", expressions=False
        ),
        Param("chat_id", "string", t("Chat ID", "대화 ID"), required=True),
        Param(
            "file_field",
            "string",
            t("File field", "파일 필드"),
            required=True,
            default="file",
            expressions=False,
            help=t("The field of the item that holds the file (a dotted path).", "파일이 든 항목 필드입니다 (점 경로)."),
        ),
        Param("caption", "text", t("Caption", "설명"), default=""),
        Param("silent", "boolean", t("Send without sound", "알림음 없이 보내기"), default=False),
        Param("output_field", "string", t("Put the sent message in", "보낸 메시지를 넣을 필드"), default="telegram", expressions=False),
    )

    def execute(self, ctx):
        from apps.flows.engine.files import file_ref_at

        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "telegram_bot")
            token = str(credential.data.get("bot_token", "")).strip()
            chat_id = str(params["chat_id"] or "").strip()
            if not chat_id:
                raise NodeError(gettext_noop("Fill in the chat ID."), code="bad_chat_id")
            ref = file_ref_at(item, params["file_field"] or "file")
            if int(ref.get("size") or 0) > MAX_DOCUMENT_BYTES:
                raise NodeError(gettext_noop("Telegram bots can send files up to 50 MB."), code="telegram_file_too_large")
            document = (str(ref.get("name") or "file"), ctx.file_read(ref), str(ref.get("mime_type") or "application/octet-stream"))
            form = {"chat_id": chat_id, "disable_notification": "true" if params["silent"] else "false"}
            if str(params["caption"] or "").strip():
                form["caption"] = str(params["caption"])[:1024]
            try:
                answer = call(ctx, TELEGRAM, "POST", f"/bot{token}/sendDocument", form=form, files=[("document", document)]).json() or {}
            except NodeError as error:
                raise scrubbed(error, token) from None
            message = answer.get("result") or {}
            sent = copy_item(item)
            set_path(
                sent,
                params["output_field"] or "telegram",
                {
                    "message_id": message.get("message_id"),
                    "chat_id": (message.get("chat") or {}).get("id"),
                    "file_id": (message.get("document") or {}).get("file_id"),
                },
            )
            out.append(sent)
        return {"main": out}


# ---- The message trigger: Telegram calls the flow's address with each update --------------------------------

SECRET_HEADER = "x-telegram-bot-api-secret-token"
TRIGGER_KEY = "telegram.message_received"
UPDATE_KINDS = ("message", "edited_message", "channel_post", "callback_query")


def webhook_secret(bot_token: str) -> str:
    """The secret_token given to setWebhook and checked on every update: derived from the bot token (never stored,
    never shown), so only Telegram, which received it, can send it back."""
    return hmac.new(bot_token.encode(), b"ezflow-telegram-webhook", hashlib.sha256).hexdigest()


def _update(inbound) -> dict:
    try:
        update = json_loads(inbound.body) if inbound.body else None
    except JSONInputError as exc:
        raise DomainError(exc.message, code=exc.code) from None
    except ValueError:
        raise DomainError(_("The request body is not valid JSON."), code="bad_json") from None
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise DomainError(_("A Telegram update is a JSON object with an update_id."), code="bad_event")
    return update


@register
class TelegramMessageReceived(NodeType):
    key = TRIGGER_KEY
    n8n = (N8nMapping(("n8n-nodes-base.telegramTrigger",), n8n.telegram_trigger),)
    category = "trigger"
    icon = "telegram"
    inputs = ()
    is_trigger = True
    trigger_kind = "webhook"
    label = t("Telegram message received", "텔레그램 메시지 받음")
    description = t(
        "Starts the flow for each message people send to the bot. Publishing and turning the flow on registers this "
        "flow's address with Telegram (setWebhook); a bot sends its messages to one flow at a time.",
        "사람들이 봇에게 보낸 메시지마다 플로우를 시작합니다. 플로우를 게시하고 켜면 이 플로우 주소를 텔레그램에 "
        "등록합니다(setWebhook). 봇 하나의 메시지는 한 번에 한 플로우로만 갑니다.",
    )
    params = (
        Param(
            "credential", "credential", t("Telegram bot", "텔레그램 봇"), required=True, credential_type="telegram_bot", expressions=False
        ),
        Param(
            "updates",
            "list",
            t("Start on", "시작할 때"),
            default=["message"],
            expressions=False,
            help=t(
                "Telegram update kinds: message, edited_message, channel_post, callback_query (button presses).",
                "텔레그램 업데이트 종류입니다: message, edited_message, channel_post, callback_query(버튼 누름).",
            ),
        ),
    )

    def execute(self, ctx):
        return {"main": ctx.items}

    def receive_webhook(self, inbound, *, params, host):
        ctx = HostContext(host)
        try:
            token = str(Credential(ctx, params.get("credential"), "telegram_bot").data.get("bot_token", "")).strip()
        except NodeError:
            token = ""
        if not token:
            raise DomainError(
                _("This flow's Telegram trigger has no usable bot token. Choose one in the editor."),
                code="webhook_misconfigured",
                status=500,
            )
        given = {str(k).lower(): str(v) for k, v in inbound.headers.items()}.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), webhook_secret(token).encode()):
            raise DomainError(_("The Telegram secret token is missing or wrong."), code="unauthorized", status=401)
        update = _update(inbound)
        kinds = [str(k) for k in (params.get("updates") or ["message"])]
        kind = next((k for k in UPDATE_KINDS if isinstance(update.get(k), dict)), "")
        if kind not in kinds:
            return IgnoreCall(_("This flow does not start on this kind of Telegram update."))
        body = update[kind]
        message = body.get("message") if kind == "callback_query" and isinstance(body.get("message"), dict) else body
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        sender = body.get("from") if isinstance(body.get("from"), dict) else {}
        item = {
            "update_id": update["update_id"],
            "kind": kind,
            "text": body.get("text") or body.get("caption") or body.get("data") or "",
            "chat_id": chat.get("id"),
            "chat_type": chat.get("type"),
            "from_id": sender.get("id"),
            "from_name": " ".join(str(sender.get(k)) for k in ("first_name", "last_name") if sender.get(k)),
            "from_username": sender.get("username"),
            "message_id": message.get("message_id"),
            "date": message.get("date"),
            "update": update,
        }
        return StartRun([item], event_key=f"telegram:{update['update_id']}", status=200)


def _trigger_node(flow):
    version = getattr(flow, "published_version", None)
    for node in version.graph.get("nodes", []) if version is not None else []:
        if node.get("type") == TRIGGER_KEY:
            return node
    return None


def keep_webhook_in_step(sender=None, *, flow, deleted: bool, **kwargs) -> None:
    """flows' `flow_live_changed`: a published, active flow with the Telegram trigger registers its address with
    setWebhook (with the secret token); turned off or deleted, deleteWebhook. Sent after the commit, and never
    failing the change: a refusal is logged and shown by "Test connection"."""
    from django.db import connection, transaction

    from apps.accounts.models.organization import site_url
    from apps.flows.host import FlowHost

    node = _trigger_node(flow)
    if node is None:
        return
    organization = connection.tenant
    credential_id = (node.get("parameters") or {}).get("credential")
    url = site_url(organization.host, f"/webhook/{flow.webhook_token}")
    register_it = bool(flow.active and not deleted)
    updates = [str(k) for k in ((node.get("parameters") or {}).get("updates") or ["message"])]

    def send():
        ctx = HostContext(FlowHost(organization=organization))
        try:
            token = str(Credential(ctx, credential_id, "telegram_bot").data.get("bot_token", "")).strip()
            if register_it:
                body = {"url": url, "secret_token": webhook_secret(token), "allowed_updates": updates, "drop_pending_updates": False}
                call(ctx, TELEGRAM, "POST", f"/bot{token}/setWebhook", json_body=body)
            else:
                call(ctx, TELEGRAM, "POST", f"/bot{token}/deleteWebhook", json_body={})
        except NodeError as error:
            logger.warning("telegram webhook %s failed for flow %s: %s", "set" if register_it else "delete", flow.pk, error.code)

    transaction.on_commit(send, robust=True)
