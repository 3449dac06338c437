"""Solapi (api.solapi.com): `POST /messages/v4/send-many/detail` and `GET /cash/v1/balance`, with the real HMAC
signature check (date within 15 minutes, a salt used once), `{"errorCode", "errorMessage"}` request errors and per
message refusals in `failedMessageList` (HTTP 200) with `groupInfo.count`.

The message status codes are Solapi's: 2000 accepted, 1062 sender number not registered; 3059 (unknown or unapproved
AlimTalk template) and 3034 (variables not matching the template) stand for Solapi's template refusals."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import UTC, datetime

from tests.connectors.fakes.base import FakeService

API_KEY = "NCSAYU7YDBXYORXC"
API_SECRET = "YLXUHXXXBKVQ9WO1HWPHBDOAJUMFXMAN"
PF_ID = "KA01PF2026120700000000000000abcd"


def _error(status, code, message):
    return status, {}, {"errorCode": code, "errorMessage": message}


class FakeSolapi(FakeService):
    def __init__(self):
        super().__init__()
        self.senders = {"0212345678"}  # registered sender numbers (발신번호 사전등록)
        # templateId → (pfId, content with #{variables})
        self.templates = {"TP_ORDER": (PF_ID, "#{고객명}님, 주문 #{주문번호}이 접수되었습니다.")}
        self.salts: set[str] = set()
        self.sent: list[dict] = []
        self.routes["/messages/v4/send-many/detail"] = self._send
        self.routes["/cash/v1/balance"] = self._balance

    def _auth(self, request):
        header = request["headers"].get("Authorization", "")
        scheme, _sep, rest = header.partition(" ")
        fields = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if scheme != "HMAC-SHA256" or not {"apiKey", "date", "salt", "signature"} <= set(fields):
            return _error(401, "InvalidAuthType", "Authorization 헤더의 형식이 올바르지 않습니다.")
        if fields["apiKey"] != API_KEY:
            return _error(403, "InvalidAPIKey", "유효하지 않은 API Key 입니다.")
        try:
            when = datetime.fromisoformat(fields["date"].replace("Z", "+00:00"))
        except ValueError:
            return _error(400, "InvalidDateFormat", "date 형식이 올바르지 않습니다.")
        if abs((datetime.now(UTC) - when).total_seconds()) > 900:
            return _error(403, "RequestTimeTooSkewed", "요청 시간이 서버 시간과 15분 이상 차이납니다.")
        expected = hmac.new(API_SECRET.encode(), (fields["date"] + fields["salt"]).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields["signature"]):
            return _error(403, "SignatureDoesNotMatch", "서명이 일치하지 않습니다.")
        if fields["salt"] in self.salts:
            return _error(403, "DuplicatedSignature", "이미 사용된 signature 입니다.")
        self.salts.add(fields["salt"])
        return None

    def _balance(self, request):
        return self._auth(request) or (200, {}, {"balance": 10000, "point": 0})

    def _send(self, request):
        refused = self._auth(request)
        if refused:
            return refused
        body = self.json_body(request)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _error(400, "ValidationError", "messages 는 1건 이상이어야 합니다.")
        group_id = "G4V" + uuid.uuid4().hex[:20].upper()
        accepted, failed = [], []
        for message in messages:
            problem = self._check(message)
            entry = {
                "to": message.get("to"),
                "from": message.get("from", ""),
                "type": message.get("type"),
                "country": "82",
                "messageId": "M4V" + uuid.uuid4().hex[:20].upper(),
                "accountId": "26120712345678",
            }
            if problem is None:
                accepted.append({**entry, "statusCode": "2000", "statusMessage": "정상 접수(이통사로 접수 예정) "})
                self.sent.append(message)
            else:
                failed.append({**entry, "statusCode": problem[0], "statusMessage": problem[1]})
        count = {"total": len(messages), "sentTotal": 0, "registeredSuccess": len(accepted), "registeredFailed": len(failed)}
        answer = {
            "failedMessageList": failed,
            "groupInfo": {"groupId": group_id, "status": "SENDING", "count": count, "isRefunded": False},
        }
        if body.get("showMessageList"):
            answer["messageList"] = accepted
        return 200, {}, answer

    def _check(self, message: dict):
        kind = message.get("type")
        if kind in ("SMS", "LMS"):
            text = message.get("text") or ""
            size = sum(1 if ord(c) < 128 else 2 for c in text)
            if kind == "SMS" and size > 90:
                return "1026", "SMS 문자 길이 초과"
            if message.get("from") not in self.senders:
                return "1062", "발신번호 미등록"
            return None
        if kind == "ATA":
            options = message.get("kakaoOptions") or {}
            template = self.templates.get(options.get("templateId"))
            if template is None or template[0] != options.get("pfId"):
                return "3059", "템플릿을 찾을 수 없습니다"
            wanted = set(re.findall(r"#\{[^}]+\}", template[1]))
            if set((options.get("variables") or {}).keys()) != wanted:
                return "3034", "템플릿 변수가 일치하지 않습니다"
            if not options.get("disableSms") and message.get("from") not in self.senders:
                return "1062", "발신번호 미등록"
            return None
        return "1002", "메시지 타입이 올바르지 않습니다"
