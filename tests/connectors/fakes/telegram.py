"""The Telegram Bot API (api.telegram.org/bot<token>/<method>) with its real answers: {"ok": true, "result": ...}, and
errors as {"ok": false, "error_code", "description"} (429 with parameters.retry_after)."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService

TOKEN = "123456789:AAEhBP0av28xYz-Telegram_test_token_1"
CHATS = {
    "123456789": {"id": 123456789, "first_name": "민지", "type": "private"},
    "-1001234567890": {"id": -1001234567890, "title": "팀", "type": "supergroup"},
}
BLOCKED = "555"


def _error(status, description, **extra):
    return status, {}, {"ok": False, "error_code": status, "description": description, **extra}


class FakeTelegram(FakeService):
    def __init__(self):
        super().__init__()
        self.sent: list[dict] = []
        self.webhook: dict | None = None  # what setWebhook registered
        self.message_id = 100
        original = self.routes.get

        def route(path, default=None):
            answer = original(path, None)
            if answer is not None:
                return answer
            if path.startswith("/bot") and "/" in path[4:]:
                token, method = path[4:].split("/", 1)
                return lambda request: self._method(token, method, request)
            return default

        self.routes.get = route  # type: ignore[method-assign]

    def _method(self, token, method, request):
        if token != TOKEN:
            return _error(401, "Unauthorized")
        if method == "getMe":
            return 200, {}, {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "EZFlow", "username": "ezflow_bot"}}
        if method == "setWebhook":
            body = self.json_body(request)
            if not body.get("url") or not 1 <= len(body.get("secret_token") or "x") <= 256:
                return _error(400, "Bad Request: bad webhook: Failed to resolve host")
            self.webhook = body
            return 200, {}, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "deleteWebhook":
            self.webhook = None
            return 200, {}, {"ok": True, "result": True, "description": "Webhook was deleted"}
        if method == "sendDocument":  # multipart/form-data: chat_id, caption, the file as "document"
            form = self.multipart(request)
            if str(form.get("chat_id")) not in CHATS:
                return _error(400, "Bad Request: chat not found")
            if not isinstance(form.get("document"), tuple):
                return _error(400, "Bad Request: there is no document in the request")
            self.message_id += 1
            self.sent.append(form)
            name, content, _kind = form["document"]
            document = {"file_name": name, "file_id": f"BQACAgIAAxkBAAI{self.message_id}", "file_size": len(content)}
            message = {"message_id": self.message_id, "chat": CHATS[str(form["chat_id"])], "date": 1796633600, "document": document}
            if form.get("caption"):
                message["caption"] = form["caption"]
            return 200, {}, {"ok": True, "result": message}
        if method != "sendMessage":
            return _error(404, "Not Found")
        body = self.json_body(request)
        chat_id = str(body.get("chat_id", ""))
        if chat_id == BLOCKED:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id not in CHATS:
            return _error(400, "Bad Request: chat not found")
        text = body.get("text", "")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if body.get("parse_mode") == "HTML" and text.count("<") != text.count(">"):
            return _error(400, 'Bad Request: can\'t parse entities: Unsupported start tag "b" at byte offset 0')
        self.message_id += 1
        self.sent.append(body)
        message = {
            "message_id": self.message_id,
            "from": {"id": 1, "is_bot": True},
            "chat": CHATS[chat_id],
            "date": 1796633600,
            "text": text,
        }
        return 200, {}, {"ok": True, "result": message}
