"""Discord's API v10: webhooks (`/webhooks/{id}/{token}?wait=true`) and bot messages (`/channels/{id}/messages` with
"Authorization: Bot <token>"), with its real error bodies ({"message", "code"}) and 429 (Retry-After + retry_after)."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService

WEBHOOK_ID, WEBHOOK_TOKEN = "1180000000000000001", "wEbHoOk_ToKeN-abcdefghijklmnopqrstuvwxyz0123456789"
WEBHOOK_URL = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
BOT_TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMg.GaBcDe.bot-token-for-tests"
CHANNEL, HIDDEN_CHANNEL = "1180000000000000100", "1180000000000000200"


class FakeDiscord(FakeService):
    def __init__(self):
        super().__init__()
        self.sent: list[dict] = []
        self.routes[f"/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"] = self._webhook
        self.routes[f"/channels/{CHANNEL}/messages"] = lambda request: self._bot(CHANNEL, request)
        self.routes[f"/channels/{HIDDEN_CHANNEL}/messages"] = lambda request: self._bot(HIDDEN_CHANNEL, request)
        self.routes["/users/@me"] = lambda request: (
            (200, {}, {"id": "1", "username": "ezflow", "bot": True})
            if self._bot_ok(request)
            else (401, {}, {"message": "401: Unauthorized", "code": 0})
        )
        original = self.routes.get

        def route(path, default=None):
            found = original(path, None)
            if found is not None:
                return found
            if path.startswith("/webhooks/"):
                return lambda request: (401, {}, {"message": "Invalid Webhook Token", "code": 50027})
            if path.startswith("/channels/"):
                return lambda request: (404, {}, {"message": "Unknown Channel", "code": 10003})
            return default

        self.routes.get = route  # type: ignore[method-assign]

    @staticmethod
    def _bot_ok(request) -> bool:
        return request["headers"].get("Authorization") == f"Bot {BOT_TOKEN}"

    def _message(self, channel, body):
        if not body.get("content") and not body.get("embeds"):
            return 400, {}, {"message": "Cannot send an empty message", "code": 50006}
        if len(body.get("content", "")) > 2000:
            errors = {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}
            return 400, {}, {"message": "Invalid Form Body", "code": 50035, "errors": errors}
        self.sent.append(body)
        message = {"id": str(1180000000000001000 + len(self.sent)), "channel_id": channel, "content": body.get("content", "")}
        message |= {"embeds": body.get("embeds", []), "timestamp": "2026-12-07T09:00:00.000000+00:00"}
        return 200, {}, message

    def _webhook(self, request):
        if request["method"] == "GET":
            return 200, {}, {"type": 1, "id": WEBHOOK_ID, "channel_id": CHANNEL, "name": "EZFlow"}
        if request["query"].get("wait") != "true":
            return 204, {}, b""
        return self._message(CHANNEL, self.json_body(request))

    def _bot(self, channel, request):
        if not self._bot_ok(request):
            return 401, {}, {"message": "401: Unauthorized", "code": 0}
        if channel == HIDDEN_CHANNEL:
            return 403, {}, {"message": "Missing Access", "code": 50001}
        return self._message(channel, self.json_body(request))


def rate_limited(seconds: float):
    body = {"message": "You are being rate limited.", "retry_after": seconds, "global": False}
    return 429, {"Retry-After": f"{seconds:g}", "X-RateLimit-Scope": "user"}, body
