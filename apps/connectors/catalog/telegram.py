"""Telegram: a bot sends a message (Bot API `sendMessage`).

The bot token travels in the address (https://api.telegram.org/bot<token>/sendMessage), so every error is scrubbed of
it before the run records it. The Bot API answers errors as {"ok": false, "error_code": 400, "description": "Bad
Request: chat not found"} and rate limits as error_code 429 with {"parameters": {"retry_after": seconds}}."""

from __future__ import annotations

import re

from apps.connectors.http import RATE_LIMITED, Answer, Credential, Service, call, provider_error
from apps.connectors.params import scrubbed
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

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
    category = "action"
    icon = "telegram"
    label = t("Send a Telegram message", "텔레그램 메시지 보내기")
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
