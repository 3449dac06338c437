"""Kakao: KakaoTalk "send to me" (Kakao Login, OAuth2 with the talk_message scope) and KakaoWork bot messages.

Kakao answers errors as {"msg": ..., "code": -N} (https://developers.kakao.com/docs/latest/ko/rest-api/reference);
KakaoWork as {"success": false, "error": {"code": ..., "message": ...}}."""

from __future__ import annotations

import json

from apps.connectors.http import TOKEN_EXPIRED, Answer, Credential, Service, call, provider_error
from apps.flows.credential_kinds import BearerTokenKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.oauth2 import CLIENT_FIELDS, OAuth2Kind
from apps.flows.credential_kinds.probe import probe_http
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item
from apps.flows.nodes.registry import register

TEXT_LIMIT = 200  # Kakao's limit for a text template's text and a list's header title


def _kakao_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    code = body.get("code") if isinstance(body, dict) else None
    if answer.status < 400 and not (isinstance(code, int) and code < 0):
        return None
    if not isinstance(code, int):
        return None  # not Kakao's shape: the shared HTTP errors say it
    known = _KAKAO_ERRORS.get(code)
    if known is None:
        template = gettext_noop("Kakao refused the request (code %(code)s: %(reason)s).")
        return provider_error(
            template, code="kakao_error", service=KAKAO, provider_code=code, answer=answer, reason=str(body.get("msg", ""))
        )
    error_code, template = known
    scopes = ", ".join(body.get("required_scopes") or []) or "talk_message"
    return provider_error(
        template, code=error_code, service=KAKAO, provider_code=code, answer=answer, reason=str(body.get("msg", "")), scopes=scopes
    )


_KAKAO_ERRORS = {
    -1: ("kakao_unavailable", gettext_noop("Kakao had an internal error (code %(code)s). Run the step again in a few minutes.")),
    -2: (
        "kakao_bad_request",
        gettext_noop(
            "Kakao refused the message as incomplete or wrong (code %(code)s: %(reason)s). Check the texts (a text "
            "message and a list title have at most 200 characters), that addresses start with http:// or https:// and "
            "that a list has 2 or 3 entries."
        ),
    ),
    -3: (
        "kakao_not_enabled",
        gettext_noop(
            "This Kakao feature is not switched on for the app (code %(code)s). In Kakao Developers → My Application, "
            "turn on Kakao Login and the “Send KakaoTalk messages” consent item."
        ),
    ),
    -4: (
        "kakao_restricted",
        gettext_noop(
            "Kakao blocked sending for now (code %(code)s): the account or the app sent too many messages or was "
            "reported. Wait before sending again."
        ),
    ),
    -5: (
        "kakao_not_allowed",
        gettext_noop("The Kakao app may not use this API (code %(code)s). Check the app's permissions in Kakao Developers."),
    ),
    -7: ("kakao_unavailable", gettext_noop("Kakao is under maintenance or unavailable (code %(code)s). Run the step again later.")),
    -10: (
        "kakao_quota",
        gettext_noop(
            "The Kakao app used up its daily API quota (code %(code)s). It renews at midnight (Korea time); run the "
            "flow less often or ask Kakao for a larger quota."
        ),
    ),
    -401: (
        TOKEN_EXPIRED,
        gettext_noop(
            "Kakao no longer accepts this sign-in (code %(code)s: the access token expired or was revoked). Choose "
            "Reconnect for the credential on the Connections page."
        ),
    ),
    -402: (
        "kakao_insufficient_scopes",
        gettext_noop(
            "The Kakao sign-in lacks the permission this step needs (code %(code)s, missing: %(scopes)s). In Kakao "
            "Developers → Kakao Login → Consent items, set “Send KakaoTalk messages” (talk_message) to be asked, then "
            "choose Reconnect on the Connections page and agree to it."
        ),
    ),
    -406: (
        "kakao_underage",
        gettext_noop("Kakao does not allow this for accounts of people under 14 (code %(code)s)."),
    ),
    -501: (
        "kakao_not_talk_user",
        gettext_noop(
            "The signed-in Kakao account does not use KakaoTalk (code %(code)s). Reconnect with an account that has "
            "KakaoTalk installed and set up."
        ),
    ),
}

KAKAO = Service("kakao", "Kakao", "https://kapi.kakao.com", _kakao_error)
KAKAO_AUTH = Service("kakao_auth", "Kakao", "https://kauth.kakao.com")


@register_credential_kind
class KakaoLogin(OAuth2Kind):
    """Kakao Login for "send to me": the REST API key is the client id; the client secret is optional in Kakao."""

    icon = "kakao"

    key = "kakao_login"
    label = t("Kakao Login (KakaoTalk messages)", "카카오 로그인(카카오톡 메시지)")
    scopes = ("talk_message",)
    help = t(
        "Kakao Developers → My Application → App Keys: the REST API key is the client ID. Under Kakao Login, switch it "
        "on, add the redirect address shown on the Connections page and, under Consent items, ask for “Send KakaoTalk "
        "messages”. A client secret is needed only if you switched it on (Security).",
        "Kakao Developers → 내 애플리케이션 → 앱 키: REST API 키가 클라이언트 ID입니다. 카카오 로그인을 활성화하고 "
        "연결 페이지에 보이는 Redirect URI를 등록한 뒤, 동의항목에서 “카카오톡 메시지 전송”을 설정하세요. 클라이언트 "
        "시크릿은 보안 메뉴에서 사용으로 설정한 경우에만 필요합니다.",
    )

    @property
    def authorization_url(self) -> str:
        return KAKAO_AUTH.url("/oauth/authorize")

    @property
    def token_url(self) -> str:
        return KAKAO_AUTH.url("/oauth/token")

    @property
    def test_url(self) -> str:
        return KAKAO.url("/v1/user/access_token_info")

    def field_required(self, item: Field) -> bool:
        if item is CLIENT_FIELDS[1]:
            return False
        return super().field_required(item)


def _link(url) -> dict:
    url = str(url or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise NodeError(
            gettext_noop("The link “%(url)s” must be a web address starting with http:// or https://."),
            code="bad_link",
            values={"url": url},
        )
    return {"web_url": url, "mobile_web_url": url} if url else {}


def _buttons(entries) -> list[dict]:
    buttons = []
    for entry in entries or []:
        if isinstance(entry, dict) and str(entry.get("title") or "").strip():
            buttons.append({"title": str(entry["title"]).strip(), "link": _link(entry.get("url"))})
    if len(buttons) > 2:
        raise NodeError(gettext_noop("A KakaoTalk message has at most 2 buttons."), code="bad_template")
    return buttons


_EMPTY = {"text": gettext_noop("Fill in the message text."), "title": gettext_noop("Fill in the title of the message.")}
_TOO_LONG = {
    "text": gettext_noop("The message text has %(length)s characters; KakaoTalk allows at most %(limit)s."),
    "title": gettext_noop("The title has %(length)s characters; KakaoTalk allows at most %(limit)s."),
}


def _limited(text, which: str) -> str:
    text = str(text or "")
    if not text.strip():
        raise NodeError(_EMPTY[which], code="bad_template")
    if len(text) > TEXT_LIMIT:
        raise NodeError(_TOO_LONG[which], code="bad_template", values={"length": str(len(text)), "limit": str(TEXT_LIMIT)})
    return text


def template_object(params: dict) -> dict:
    """Kakao's template_object from the form (https://developers.kakao.com/docs/latest/ko/message/message-template)."""
    custom = params.get("custom_template")
    if custom not in (None, "", {}):
        if isinstance(custom, str):
            try:
                custom = json.loads(custom)
            except ValueError:
                custom = None
        if not isinstance(custom, dict) or "object_type" not in custom:
            raise NodeError(gettext_noop("The custom template must be a JSON object with an “object_type”."), code="bad_template")
        return custom
    kind, link = params.get("template") or "text", _link(params.get("link_url"))
    buttons = _buttons(params.get("buttons"))
    if kind == "text":
        template = {"object_type": "text", "text": _limited(params.get("text"), "text"), "link": link}
        if params.get("button_title"):
            template["button_title"] = str(params["button_title"])
    elif kind == "feed":
        content = {"title": _limited(params.get("title"), "title"), "link": link}
        if params.get("description"):
            content["description"] = str(params["description"])
        if params.get("image_url"):
            content["image_url"] = str(params["image_url"])
        template = {"object_type": "feed", "content": content}
    elif kind == "list":
        contents = [
            {
                "title": str(entry.get("title")),
                "description": str(entry.get("description") or ""),
                **({"image_url": str(entry["image_url"])} if entry.get("image_url") else {}),
                "link": _link(entry.get("link_url")),
            }
            for entry in params.get("list_entries") or []
            if isinstance(entry, dict) and str(entry.get("title") or "").strip()
        ]
        if not 2 <= len(contents) <= 3:
            raise NodeError(
                gettext_noop("A list message needs 2 or 3 entries with a title (it has %(count)s)."),
                code="bad_template",
                values={"count": str(len(contents))},
            )
        template = {
            "object_type": "list",
            "header_title": _limited(params.get("title"), "title"),
            "header_link": link,
            "contents": contents,
        }
    else:
        raise NodeError(gettext_noop("Unknown message layout “%(layout)s”."), code="bad_template", values={"layout": str(kind)})
    if buttons:
        template["buttons"] = buttons
    return template


_LINK_FIELDS = (Param("title", "string", t("Button text", "버튼 글자")), Param("url", "string", t("Opens (web address)", "열 주소")))


@register
class KakaoTalkToMe(NodeType):
    key = "kakao.talk_to_me"
    aliases = ("kakaotalk", "kakao talk", "카카오톡", "카톡")
    category = "action"
    icon = "kakao"
    side_effects = True
    label = t("Send KakaoTalk message to me", "카카오톡 나에게 보내기")
    description = t(
        "Sends a message to the signed-in person's own KakaoTalk chat (“나와의 채팅”).",
        "로그인한 사람의 카카오톡 “나와의 채팅”으로 메시지를 보냅니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("Kakao account", "카카오 계정"),
            required=True,
            credential_type="kakao_login",
            expressions=False,
        ),
        Param(
            "template",
            "select",
            t("Message layout", "메시지 모양"),
            default="text",
            expressions=False,
            options=(
                ("text", t("text", "텍스트")),
                ("feed", t("card with picture (feed)", "사진이 있는 카드(피드)")),
                ("list", t("list of 2–3 entries", "2~3개 목록")),
            ),
        ),
        Param(
            "text",
            "text",
            t("Message", "메시지"),
            default="",
            help=t("For the text layout, at most 200 characters.", "텍스트 모양에 쓰며 최대 200자입니다."),
        ),
        Param("title", "string", t("Title (card and list)", "제목(카드·목록)"), default=""),
        Param("description", "text", t("Description (card)", "설명(카드)"), default=""),
        Param("image_url", "string", t("Picture address (card)", "사진 주소(카드)"), default=""),
        Param(
            "list_entries",
            "list",
            t("List entries", "목록 항목"),
            default=[],
            item_fields=(
                Param("title", "string", t("Title", "제목")),
                Param("description", "string", t("Description", "설명")),
                Param("image_url", "string", t("Picture address", "사진 주소")),
                Param("link_url", "string", t("Opens (web address)", "열 주소")),
            ),
        ),
        Param(
            "link_url",
            "string",
            t("Opens when tapped (web address)", "눌렀을 때 열 주소"),
            default="",
            help=t(
                "Its domain must be registered in Kakao Developers → My Application → Platform → Web.",
                "도메인이 Kakao Developers → 내 애플리케이션 → 플랫폼 → Web에 등록되어 있어야 합니다.",
            ),
        ),
        Param("button_title", "string", t("Button text (text layout)", "버튼 글자(텍스트 모양)"), default=""),
        Param("buttons", "list", t("Buttons (at most 2)", "버튼(최대 2개)"), default=[], item_fields=_LINK_FIELDS),
        Param(
            "custom_template",
            "json",
            t("Custom template (JSON, for programmers)", "직접 작성한 템플릿(JSON, 개발자용)"),
            default=None,
            help=t(
                "A Kakao template_object; when given, the fields above are not used.",
                "카카오 template_object이며, 넣으면 위 항목은 쓰지 않습니다.",
            ),
        ),
    )

    def execute(self, ctx):
        out = []
        credential = None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "kakao_login")
            template = template_object(params)
            answer = call(
                ctx,
                KAKAO,
                "POST",
                "/v2/api/talk/memo/default/send",
                credential=credential,
                form={"template_object": json.dumps(template, ensure_ascii=False)},
            )
            body = answer.json()
            result = copy_item(item)
            result["kakao"] = {"sent": True, "result_code": body.get("result_code", 0) if isinstance(body, dict) else 0}
            out.append(result)
        return {"main": out}


# ---- KakaoWork ------------------------------------------------------------------------------------------------


def _kakaowork_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if not isinstance(body, dict) or body.get("success") is not False:
        return None
    error = body.get("error") or {}
    code, message = str(error.get("code", "")), str(error.get("message", ""))
    if code in ("unauthorized", "invalid_token", "invalid_app_key") or answer.status == 401:
        template = gettext_noop(
            "KakaoWork refused the bot's app key (%(code)s). Check the key in KakaoWork Admin → Bot → the bot's App Key and "
            "update the credential on the Connections page."
        )
        return provider_error(
            template, code="kakaowork_unauthorized", service=KAKAOWORK, provider_code=code or answer.status, answer=answer
        )
    if code in ("user_not_found", "conversation_not_found", "not_found"):
        template = gettext_noop(
            "KakaoWork could not find the recipient (%(code)s: %(reason)s). Check the email address or the conversation "
            "ID, and that the person or chat belongs to the bot's workspace."
        )
        return provider_error(template, code="kakaowork_not_found", service=KAKAOWORK, provider_code=code, answer=answer, reason=message)
    if code == "too_many_requests" or answer.status == 429:
        return None  # the shared rate-limit handling
    template = gettext_noop("KakaoWork refused the message (%(code)s: %(reason)s).")
    return provider_error(
        template, code="kakaowork_error", service=KAKAOWORK, provider_code=code or answer.status, answer=answer, reason=message
    )


KAKAOWORK = Service("kakaowork", "KakaoWork", "https://api.kakaowork.com", _kakaowork_error)


@register_credential_kind
class KakaoWorkBot(BearerTokenKind):
    icon = "kakaowork"
    key = "kakaowork_bot"
    label = t("KakaoWork bot", "카카오워크 봇")
    token_field = "app_key"
    fields = (Field("app_key", t("Bot app key", "봇 앱 키")),)
    help = t(
        "KakaoWork Admin → Bot → your bot → App Key (the workspace admin creates the bot).",
        "카카오워크 관리자 → 봇 → 해당 봇 → 앱 키(App Key)에서 확인합니다(워크스페이스 관리자가 봇을 만듭니다).",
    )

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        return probe_http(self, data, allow_hosts=allow_hosts, url=url or KAKAOWORK.url("/v1/bots.info"))


@register
class KakaoWorkMessage(NodeType):
    key = "kakaowork.send_message"
    category = "action"
    icon = "kakaowork"
    side_effects = True
    label = t("Send KakaoWork message", "카카오워크 메시지 보내기")
    aliases = ("kakaowork", "kakao work", "카카오워크", "카카오 워크")
    description = t(
        "A KakaoWork bot sends a message to a person (by email) or to a chat.",
        "카카오워크 봇이 사람(이메일)이나 채팅방에 메시지를 보냅니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("KakaoWork bot", "카카오워크 봇"),
            required=True,
            credential_type="kakaowork_bot",
            expressions=False,
        ),
        Param(
            "recipient",
            "select",
            t("Send to", "받는 곳"),
            default="email",
            expressions=False,
            options=(
                ("email", t("a person (email address)", "사람(이메일 주소)")),
                ("conversation", t("a chat (conversation ID)", "채팅방(대화방 ID)")),
            ),
        ),
        Param("email", "string", t("Email address", "이메일 주소"), default=""),
        Param("conversation_id", "string", t("Conversation ID", "대화방 ID"), default=""),
        Param("text", "text", t("Message", "메시지"), required=True),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "kakaowork_bot")
            text = str(params["text"])
            if params["recipient"] == "conversation":
                target = str(params.get("conversation_id") or "").strip()
                path, body = "/v1/messages.send", {"conversation_id": target, "text": text}
            else:
                target = str(params.get("email") or "").strip()
                path, body = "/v1/messages.send_by_email", {"email": target, "text": text}
            if not target:
                raise NodeError(gettext_noop("Fill in whom to send the KakaoWork message to."), code="bad_recipient")
            answer = call(ctx, KAKAOWORK, "POST", path, credential=credential, json_body=body)
            message = (answer.json() or {}).get("message") or {}
            result = copy_item(item)
            result["kakaowork"] = {"sent": True, "message_id": message.get("id"), "conversation_id": message.get("conversation_id")}
            out.append(result)
        return {"main": out}
