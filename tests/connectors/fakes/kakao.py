"""Kakao (kauth.kakao.com and kapi.kakao.com on one port) and KakaoWork (api.kakaowork.com).

Kakao Login is the local OAuth2 provider of tests/support behind Kakao's paths (/oauth/authorize, /oauth/token);
the talk memo API answers {"result_code": 0} or Kakao's errors: HTTP 401 {"code": -401} for an unknown or expired
token, 403 {"code": -402, "required_scopes": [...]} without the talk_message consent, 400 {"code": -501} for an
account without KakaoTalk and {"code": -2} for a bad template_object."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from tests.connectors.fakes.base import FakeService
from tests.support.fake_oauth2 import FakeOAuth2Provider

CLIENT_ID = "kakao-rest-api-key"
CLIENT_SECRET = "kakao-client-secret"
TEXT_LIMIT = 200


def _as_route(answer: tuple) -> tuple:
    status, body, *rest = answer
    return status, (rest[0] if rest else {}), body if body is not None else b""


class FakeKakao(FakeService):
    def __init__(self):
        super().__init__()
        self.oauth = FakeOAuth2Provider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self.granted_scopes = {"talk_message"}
        self.talk_user = True
        self.memos: list[dict] = []  # template objects received
        self.routes["/oauth/authorize"] = lambda r: _as_route(self.oauth._authorize(r["query"]))
        self.routes["/oauth/token"] = self._token
        self.routes["/v2/api/talk/memo/default/send"] = self._memo
        self.routes["/v1/user/access_token_info"] = self._token_info

    def _token(self, request):
        form = {k: v[0] for k, v in parse_qs(request["body"].decode(), keep_blank_values=True).items()}
        return _as_route(self.oauth._token(form, request["headers"].get("Authorization", "")))

    def _token_valid(self, request) -> bool:
        return self.oauth.access_tokens.get(self.bearer(request), 0) > time.time()

    def _token_info(self, request):
        if not self._token_valid(request):
            return 401, {}, {"msg": "this access token does not exist", "code": -401}
        return 200, {}, {"id": 3141592, "expires_in": 3600, "app_id": 77}

    def _memo(self, request):
        assert request["method"] == "POST"
        if not self._token_valid(request):
            return 401, {}, {"msg": "this access token does not exist", "code": -401}
        if "talk_message" not in self.granted_scopes:
            return (
                403,
                {},
                {
                    "msg": "insufficient scopes.",
                    "code": -402,
                    "api_type": "TALK_MEMO_DEFAULT_SEND",
                    "required_scopes": ["talk_message"],
                    "allowed_scopes": sorted(self.granted_scopes),
                },
            )
        if not self.talk_user:
            return 400, {}, {"msg": "NotTalkUser", "code": -501}
        form = self.form(request)
        try:
            template = json.loads(form["template_object"])
        except (KeyError, ValueError):
            return 400, {}, {"msg": "template_object is required and must be JSON", "code": -2}
        problem = _template_problem(template)
        if problem:
            return 400, {}, {"msg": problem, "code": -2}
        self.memos.append(template)
        return 200, {}, {"result_code": 0}

    def expire_access_tokens(self):
        """Kakao stops accepting the tokens before the time it gave (revoked, password changed)."""
        self.oauth.expire_access_tokens()


def _template_problem(template: dict) -> str:
    kind = template.get("object_type")
    if kind == "text":
        if not template.get("text") or len(template["text"]) > TEXT_LIMIT:
            return "text must be 1..200 characters"
        if "link" not in template:
            return "link is required"
    elif kind == "feed":
        if not isinstance(template.get("content"), dict) or "link" not in template["content"]:
            return "content with a link is required"
    elif kind == "list":
        if not template.get("header_title") or not 2 <= len(template.get("contents") or []) <= 3:
            return "header_title and 2..3 contents are required"
    else:
        return f"unknown object_type {kind!r}"
    for button in template.get("buttons") or []:
        if not button.get("title") or "link" not in button:
            return "a button needs a title and a link"
    return ""


class FakeKakaoWork(FakeService):
    """api.kakaowork.com: Bearer app key; {"success": true, "message": {...}} or {"success": false, "error": {...}}."""

    APP_KEY = "kw-app-key-0001"

    def __init__(self):
        super().__init__()
        self.users = {"minji@company.example": 4001}
        self.conversations = {"1234567"}
        self.routes["/v1/messages.send"] = self._send
        self.routes["/v1/messages.send_by_email"] = self._send_by_email
        self.routes["/v1/bots.info"] = self._info

    def _refuse(self, request):
        if self.bearer(request) != self.APP_KEY:
            return 401, {}, {"success": False, "error": {"code": "unauthorized", "message": "invalid app key"}}
        return None

    def _info(self, request):
        return self._refuse(request) or (200, {}, {"success": True, "info": {"bot_id": 9, "name": "EZFlow"}})

    def _message(self, conversation_id, text):
        return {"success": True, "message": {"id": "msg-1", "conversation_id": conversation_id, "text": text, "send_time": 1700000000}}

    def _send(self, request):
        if refused := self._refuse(request):
            return refused
        body = self.json_body(request)
        if not body.get("text"):
            return 400, {}, {"success": False, "error": {"code": "invalid_parameter", "message": "text is required"}}
        if str(body.get("conversation_id")) not in self.conversations:
            return 400, {}, {"success": False, "error": {"code": "conversation_not_found", "message": "conversation not found"}}
        return 200, {}, self._message(int(body["conversation_id"]), body["text"])

    def _send_by_email(self, request):
        if refused := self._refuse(request):
            return refused
        body = self.json_body(request)
        if body.get("email") not in self.users:
            return 400, {}, {"success": False, "error": {"code": "user_not_found", "message": "user not found"}}
        return 200, {}, self._message(777, body["text"])
