"""Slack with a bot token (xoxb-…): upload a file of the item to a channel through the Web API's upload flow
(files.getUploadURLExternal → the bytes to the upload address it gives → files.completeUploadExternal, which shares
it in the channel with an optional message). Incoming webhooks (`net.slack`) cannot carry files.

The Web API answers HTTP 200 with {"ok": false, "error": "channel_not_found"} for most refusals; those are said in
words here. The bot needs the `files:write` scope and must be a member of the channel."""

from __future__ import annotations

import re

from apps.connectors.http import Answer, Credential, Service, call, provider_error
from apps.flows.credential_kinds import CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.engine.files import file_ref_at
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

TOKEN = re.compile(r"^xox[bp]-[A-Za-z0-9-]{10,200}$")
MAX_FILE_BYTES = 1024 * 1024 * 1024  # Slack's own limit is 1 GB; the organization's file limits come first

_KNOWN = {
    "invalid_auth": gettext_noop("Slack refused the bot token (%(code)s). Copy the Bot User OAuth Token again from your Slack app."),
    "not_authed": gettext_noop("Slack refused the bot token (%(code)s). Copy the Bot User OAuth Token again from your Slack app."),
    "token_revoked": gettext_noop("The bot token was revoked (%(code)s). Install the Slack app again and copy its new token."),
    "missing_scope": gettext_noop("The Slack app lacks a permission (%(code)s): add the files:write scope and install it again."),
    "channel_not_found": gettext_noop(
        "Slack does not know this channel (%(code)s). Use the channel ID (C0123…, in the channel's details), and invite the "
        "bot to a private channel."
    ),
    "not_in_channel": gettext_noop("The bot is not a member of this channel (%(code)s). Invite it with /invite @your-bot."),
    "file_upload_size_restricted": gettext_noop("The file is larger than this Slack workspace accepts (%(code)s)."),
}


def _slack_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if not isinstance(body, dict) or body.get("ok") is not False:
        return None
    code = str(body.get("error") or "unknown_error")
    template = _KNOWN.get(code) or gettext_noop("Slack refused the request (%(code)s).")
    error_code = "slack_unauthorized" if code in ("invalid_auth", "not_authed", "token_revoked") else f"slack_{code}"[:60]
    return provider_error(template, code=error_code, service=SLACK, provider_code=code, answer=answer)


SLACK = Service("slack", "Slack", "https://slack.com/api", _slack_error)


@register_credential_kind
class SlackBot(CredentialKind):
    icon = "slack"
    key = "slack_bot"
    label = t("Slack bot token", "Slack 봇 토큰")
    fields = (Field("bot_token", t("Bot User OAuth Token", "봇 사용자 OAuth 토큰"), pattern=TOKEN.pattern, example="xoxb-1234-5678-abcd"),)
    help = t(
        "In api.slack.com/apps → your app → OAuth & Permissions: add the bot scopes files:write (and chat:write), install "
        "the app to the workspace and copy the Bot User OAuth Token (xoxb-…). Invite the bot to the channel.",
        "api.slack.com/apps → 앱 → OAuth & Permissions에서 봇 권한 files:write(와 chat:write)를 추가하고 워크스페이스에 "
        "설치한 뒤 Bot User OAuth Token(xoxb-…)을 복사하세요. 봇을 채널에 초대해야 합니다.",
    )

    def problems(self, data):
        if not TOKEN.match(str(data.get("bot_token", "")).strip()):
            return [(gettext_noop("A Slack bot token starts with xoxb- ."), {})]
        return []

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        request.headers["Authorization"] = f"Bearer {str(data.get('bot_token', '')).strip()}"

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            answer = send_probe(url or SLACK.url("/auth.test"), allow_hosts=allow_hosts, request=request, method="POST")
        except ProbeFailed as failed:
            return TestResult(False, failed.result.template, failed.result.values)
        if answer.status >= 400 or b'"ok":false' in answer.body.replace(b" ", b""):
            return TestResult(False, gettext_noop("Slack refused the bot token. Copy the Bot User OAuth Token again from your Slack app."))
        return TestResult(True, gettext_noop("Slack accepted the bot token."))


@register
class SlackUploadFile(NodeType):
    key = "slack.upload_file"
    side_effects = True
    category = "action"
    icon = "slack"
    label = t("Upload a file to Slack", "슬랙에 파일 올리기")
    aliases = ("slack file", "slack upload", "슬랙 파일")
    description = t(
        "Shares a file of the item (a report, a PDF, a screenshot) in a Slack channel with an optional message; one file per item.",
        "항목의 파일(보고서, PDF, 화면 캡처)을 슬랙 채널에 메시지와 함께 올립니다. 항목마다 파일 하나입니다.",
    )
    params = (
        Param("credential", "credential", t("Slack bot", "슬랙 봇"), required=True, credential_type="slack_bot", expressions=False),
        Param(
            "channel_id",
            "string",
            t("Channel ID", "채널 ID"),
            required=True,
            help=t("C0123ABCD, in the channel's details.", "채널 정보에 있는 C0123ABCD 형식의 ID입니다."),
        ),
        Param("file_field", "string", t("File field", "파일 필드"), required=True, default="file", expressions=False),
        Param("title", "string", t("Title (empty: the file name)", "제목 (비우면 파일 이름)"), default=""),
        Param("message", "text", t("Message with the file", "파일과 함께 보낼 메시지"), default=""),
        Param("output_field", "string", t("Put the uploaded file in", "올린 파일 정보를 넣을 필드"), default="slack", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "slack_bot")
            channel = str(params["channel_id"] or "").strip()
            if not channel:
                raise NodeError(gettext_noop("Fill in the channel ID."), code="slack_channel_missing")
            ref = file_ref_at(item, params["file_field"] or "file")
            data = ctx.file_read(ref)
            if len(data) > MAX_FILE_BYTES:
                raise NodeError(
                    gettext_noop("The file is larger than this Slack workspace accepts (%(code)s)."),
                    code="slack_file_too_large",
                    values={"code": "size"},
                )
            name = str(ref.get("name") or "file")
            ticket = (
                call(
                    ctx,
                    SLACK,
                    "POST",
                    "/files.getUploadURLExternal",
                    credential=credential,
                    form={"filename": name, "length": str(len(data))},
                ).json()
                or {}
            )
            upload_url, file_id = str(ticket.get("upload_url") or ""), str(ticket.get("file_id") or "")
            if not upload_url or not file_id:
                raise NodeError(gettext_noop("Slack refused the request (%(code)s)."), code="slack_error", values={"code": "no upload_url"})
            # The upload address is Slack's own, signed for this file: the token does not go there.
            call(ctx, SLACK, "POST", "", url=upload_url, content=data, headers={"Content-Type": "application/octet-stream"})
            shared = {"files": [{"id": file_id, "title": str(params["title"] or "").strip() or name}], "channel_id": channel}
            if str(params["message"] or "").strip():
                shared["initial_comment"] = str(params["message"])
            done = call(ctx, SLACK, "POST", "/files.completeUploadExternal", credential=credential, json_body=shared).json() or {}
            uploaded = (done.get("files") or [{}])[0]
            result = copy_item(item)
            set_path(
                result,
                params["output_field"] or "slack",
                {"file_id": uploaded.get("id") or file_id, "title": uploaded.get("title"), "channel_id": channel},
            )
            out.append(result)
        return {"main": out}
