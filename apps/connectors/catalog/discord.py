"""Discord: a message through a channel webhook, or from a bot (`POST /channels/{id}/messages`, "Bot" token).

Discord answers errors as {"message": "Unknown Channel", "code": 10003} (with "errors" for a form it cannot read) and
rate limits as HTTP 429 with a Retry-After header and {"retry_after": seconds, "global": bool}."""

from __future__ import annotations

import re

from apps.connectors import n8n
from apps.connectors.http import RATE_LIMITED, Answer, Credential, Service, call, provider_error
from apps.connectors.params import json_value, scrubbed
from apps.flows.credential_kinds import CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, http_verdict, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

WEBHOOK_URL = re.compile(
    r"^https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v\d+)?/webhooks/(?P<id>\d{5,25})/(?P<token>[A-Za-z0-9_-]{20,200})/?$"
)
SNOWFLAKE = re.compile(r"^\d{5,25}$")
MAX_CONTENT = 2000
MAX_EMBEDS = 10

_KNOWN = {
    10003: ("discord_unknown_channel", gettext_noop("Discord does not know this channel (%(code)s). Check the channel ID.")),
    10015: (
        "discord_unknown_webhook",
        gettext_noop(
            "The Discord webhook no longer exists (%(code)s). Create a new one in the channel's settings → Integrations → "
            "Webhooks and update the credential."
        ),
    ),
    50027: (
        "discord_unauthorized",
        gettext_noop("Discord refused the webhook address (%(code)s: invalid webhook token). Copy the webhook URL again."),
    ),
    50001: (
        "discord_no_access",
        gettext_noop(
            "The bot cannot see this channel (%(code)s: missing access). Invite the bot to the server and let it view the channel."
        ),
    ),
    50013: (
        "discord_no_permission",
        gettext_noop("The bot may not write in this channel (%(code)s: missing permissions). Give it “Send Messages” there."),
    ),
    50006: ("discord_empty_message", gettext_noop("The message is empty (%(code)s). Fill in the text or an embed.")),
    50035: ("discord_bad_message", gettext_noop("Discord could not accept the message (%(code)s: %(reason)s).")),
}


def _discord_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if answer.status < 400:
        return None
    body = body if isinstance(body, dict) else {}
    reason = str(body.get("message") or "")
    if answer.status == 429:
        seconds = answer.retry_after()
        if seconds is None and isinstance(body.get("retry_after"), (int, float)):
            seconds = float(body["retry_after"])
        template = gettext_noop(
            "Discord is receiving too many messages (HTTP 429). It asks to wait %(seconds)s seconds: run the step again "
            "later, or send fewer messages at once."
        )
        return provider_error(template, code=RATE_LIMITED, service=DISCORD, provider_code=429, answer=answer, seconds=f"{seconds or 0:g}")
    code = body.get("code")
    if answer.status == 401 and code in (0, None):
        template = gettext_noop(
            "Discord refused the bot token (%(code)s: %(reason)s). Copy it again from the Discord Developer Portal → "
            "Applications → your application → Bot → Reset Token, and update the credential."
        )
        return provider_error(template, code="discord_unauthorized", service=DISCORD, provider_code=401, answer=answer, reason=reason)
    if code in _KNOWN:
        error_code, template = _KNOWN[code]
        if code == 50035 and isinstance(body.get("errors"), dict):
            reason = f"{reason}: {_form_errors(body['errors'])}"
        return provider_error(template, code=error_code, service=DISCORD, provider_code=code, answer=answer, reason=reason)
    template = gettext_noop("Discord refused the request (%(code)s: %(reason)s).")
    return provider_error(
        template,
        code="discord_error",
        service=DISCORD,
        provider_code=code if code is not None else answer.status,
        answer=answer,
        reason=reason,
    )


def _form_errors(errors: dict, path: str = "") -> str:
    """Discord's nested {"content": {"_errors": [{"code", "message"}]}} as "content: message"."""
    said = []
    for name, value in errors.items():
        if name == "_errors" and isinstance(value, list):
            said.extend(f"{path or 'message'}: {entry.get('message', '')}" for entry in value if isinstance(entry, dict))
        elif isinstance(value, dict):
            said.append(_form_errors(value, f"{path}.{name}" if path else name))
    return "; ".join(part for part in said if part)


DISCORD = Service("discord", "Discord", "https://discord.com/api/v10", _discord_error)


@register_credential_kind
class DiscordWebhook(CredentialKind):
    icon = "discord"
    key = "discord_webhook"
    label = t("Discord webhook", "디스코드 웹후크")
    fields = (
        Field(
            "webhook_url",
            t("Webhook URL", "웹후크 URL"),
            url=True,
            pattern=WEBHOOK_URL.pattern.replace("?P<", "?<"),
            example="https://discord.com/api/webhooks/123456789012345678/exampleExampleExample_token",
        ),
    )
    help = t(
        "In Discord: the channel's ⚙ Edit Channel → Integrations → Webhooks → New Webhook → Copy Webhook URL "
        "(https://discord.com/api/webhooks/…). Anyone with the address can post in the channel: keep it here only.",
        "디스코드에서 채널 ⚙ 채널 편집 → 연동 → 웹후크 → 새 웹후크 → 웹후크 URL 복사를 누르세요"
        "(https://discord.com/api/webhooks/…). 이 주소가 있으면 누구나 채널에 글을 올릴 수 있으니 여기에만 보관하세요.",
    )

    def problems(self, data):
        if not WEBHOOK_URL.match(str(data.get("webhook_url", "")).strip()):
            return [(gettext_noop("A Discord webhook URL looks like https://discord.com/api/webhooks/123…/abc… ."), {})]
        return []

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        found = WEBHOOK_URL.match(str(data.get("webhook_url", "")).strip())
        if not found:
            return TestResult(False, gettext_noop("A Discord webhook URL looks like https://discord.com/api/webhooks/123…/abc… ."))
        try:
            answer = send_probe(url or DISCORD.url(f"/webhooks/{found['id']}/{found['token']}"), allow_hosts=allow_hosts)
        except ProbeFailed as failed:
            return failed.result
        if answer.status in (401, 404):
            return TestResult(False, gettext_noop("Discord does not know this webhook any more. Copy the webhook URL again."))
        return http_verdict(answer)


@register_credential_kind
class DiscordBot(CredentialKind):
    icon = "discord"
    key = "discord_bot"
    label = t("Discord bot token", "디스코드 봇 토큰")
    http_auth = True
    fields = (Field("bot_token", t("Bot token", "봇 토큰")),)
    help = t(
        "Discord Developer Portal (discord.com/developers) → Applications → your application → Bot → Reset Token, then "
        "copy it. Invite the bot to your server (OAuth2 → URL Generator, scope “bot”, permission “Send Messages”).",
        "디스코드 개발자 포털(discord.com/developers) → Applications → 애플리케이션 선택 → Bot → Reset Token을 눌러 "
        "토큰을 복사하세요. 봇을 서버에 초대해야 합니다(OAuth2 → URL Generator, 범위 “bot”, 권한 “Send Messages”).",
    )

    def authenticate(self, request, data):
        request.headers["Authorization"] = f"Bot {str(data.get('bot_token', '')).strip()}"

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            return http_verdict(send_probe(url or DISCORD.url("/users/@me"), allow_hosts=allow_hosts, request=request))
        except ProbeFailed as failed:
            return failed.result


_EMBED_FIELDS = (
    Param("embed_title", "string", t("Card title", "카드 제목"), default=""),
    Param("embed_description", "text", t("Card text", "카드 내용"), default=""),
    Param("embed_url", "string", t("Card link (web address)", "카드 링크(웹 주소)"), default=""),
    Param(
        "embed_color",
        "string",
        t("Card colour", "카드 색"),
        default="",
        help=t("A colour like #5865F2 (empty: Discord's own).", "#5865F2 같은 색(비우면 디스코드 기본색)."),
    ),
    Param(
        "embeds",
        "json",
        t("Cards as Discord JSON (advanced)", "디스코드 JSON 카드(고급)"),
        default=None,
        help=t(
            "A list of Discord embed objects; when given, the card fields above are not used.",
            "디스코드 embed 객체 목록입니다. 넣으면 위의 카드 칸은 쓰지 않습니다.",
        ),
    ),
)
_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def message_body(params: dict) -> dict:
    """Discord's message body (content and embeds) from the form."""
    content = str(params.get("content") or "")
    if len(content) > MAX_CONTENT:
        raise NodeError(
            gettext_noop("The message has %(length)s characters; Discord takes at most 2,000."),
            code="discord_too_long",
            values={"length": str(len(content))},
        )
    embeds = json_value(params.get("embeds"), label="embeds", expect=(list, dict))
    if isinstance(embeds, dict):
        embeds = [embeds]
    if embeds is None and (params.get("embed_title") or params.get("embed_description")):
        embed = {"title": str(params.get("embed_title") or ""), "description": str(params.get("embed_description") or "")}
        embed = {k: v for k, v in embed.items() if v}
        if params.get("embed_url"):
            embed["url"] = str(params["embed_url"])
        if params.get("embed_color"):
            color = _COLOR.match(str(params["embed_color"]).strip())
            if not color:
                raise NodeError(gettext_noop("The card colour must look like #5865F2."), code="bad_color")
            embed["color"] = int(color.group(1), 16)
        embeds = [embed]
    if embeds and (len(embeds) > MAX_EMBEDS or not all(isinstance(e, dict) for e in embeds)):
        raise NodeError(gettext_noop("Discord takes at most 10 cards, each a JSON object."), code="bad_embeds")
    if not content.strip() and not embeds:
        raise NodeError(gettext_noop("Fill in the message or a card."), code="discord_empty_message")
    body: dict = {"content": content} if content else {}
    if embeds:
        body["embeds"] = embeds
    return body


def _sent(item: dict, field: str, message: dict) -> dict:
    sent = copy_item(item)
    set_path(
        sent,
        field or "discord",
        {"message_id": message.get("id"), "channel_id": message.get("channel_id"), "timestamp": message.get("timestamp")},
    )
    return sent


@register
class DiscordWebhookMessage(NodeType):
    key = "discord.webhook_message"
    n8n = (N8nMapping(("n8n-nodes-base.discord",), n8n.discord_webhook, when=n8n.is_discord_webhook),)
    category = "action"
    icon = "discord"
    label = t("Post to a Discord channel (webhook)", "디스코드 채널에 올리기(웹후크)")
    aliases = ("discord", "디스코드")
    description = t(
        "Posts a message, with cards if you like, through a channel's webhook; one message per item.",
        "채널 웹후크로 메시지(원하면 카드 포함)를 올립니다. 항목마다 메시지 하나를 올립니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("Discord webhook", "디스코드 웹후크"),
            required=True,
            credential_type="discord_webhook",
            expressions=False,
        ),
        Param("content", "text", t("Message", "메시지"), default=""),
        Param("username", "string", t("Show as (name)", "보낸 사람 이름"), default=""),
        Param("avatar_url", "string", t("Picture of the sender (web address)", "보낸 사람 사진(웹 주소)"), default=""),
        *_EMBED_FIELDS,
        Param("output_field", "string", t("Put the sent message in", "보낸 메시지를 넣을 필드"), default="discord", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "discord_webhook")
            found = WEBHOOK_URL.match(str(credential.data.get("webhook_url", "")).strip())
            if not found:
                raise NodeError(
                    gettext_noop("A Discord webhook URL looks like https://discord.com/api/webhooks/123…/abc… ."), code="bad_webhook_url"
                )
            body = message_body(params)
            for name in ("username", "avatar_url"):
                if params.get(name):
                    body[name] = str(params[name])
            try:
                # wait=true: Discord answers with the message it created instead of 204 No Content.
                answer = call(ctx, DISCORD, "POST", f"/webhooks/{found['id']}/{found['token']}", query={"wait": "true"}, json_body=body)
            except NodeError as error:
                raise scrubbed(error, found["token"]) from None
            out.append(_sent(item, params["output_field"], answer.json() or {}))
        return {"main": out}


@register
class DiscordBotMessage(NodeType):
    key = "discord.bot_message"
    category = "action"
    icon = "discord"
    label = t("Send a Discord message (bot)", "디스코드 메시지 보내기(봇)")
    description = t(
        "Your Discord bot writes in a channel it may post in; one message per item.",
        "디스코드 봇이 글을 쓸 수 있는 채널에 메시지를 보냅니다. 항목마다 메시지 하나를 보냅니다.",
    )
    params = (
        Param("credential", "credential", t("Discord bot", "디스코드 봇"), required=True, credential_type="discord_bot", expressions=False),
        Param(
            "channel_id",
            "string",
            t("Channel ID", "채널 ID"),
            required=True,
            help=t(
                "In Discord, turn on User Settings → Advanced → Developer Mode, then right-click the channel → Copy Channel ID.",
                "디스코드 사용자 설정 → 고급 → 개발자 모드를 켠 뒤 채널을 오른쪽 클릭 → 채널 ID 복사를 누르세요.",
            ),
        ),
        Param("content", "text", t("Message", "메시지"), default=""),
        *_EMBED_FIELDS,
        Param("output_field", "string", t("Put the sent message in", "보낸 메시지를 넣을 필드"), default="discord", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "discord_bot")
            channel = str(params["channel_id"] or "").strip()
            if not SNOWFLAKE.match(channel):
                raise NodeError(
                    gettext_noop("“%(channel)s” is not a Discord channel ID (a long number)."),
                    code="bad_channel_id",
                    values={"channel": channel},
                )
            answer = call(ctx, DISCORD, "POST", f"/channels/{channel}/messages", credential=credential, json_body=message_body(params))
            out.append(_sent(item, params["output_field"], answer.json() or {}))
        return {"main": out}
