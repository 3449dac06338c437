"""Calls the webhook route (the product's only webhook entry) in-process, on the test's own database connection."""

from __future__ import annotations

import json
from dataclasses import dataclass

from asgiref.sync import async_to_sync

from apps.runs.webhooks.asgi import WebhookRoute


@dataclass
class WebhookResponse:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self):
        return json.loads(self.content)

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


async def _not_ours(scope, receive, send):
    await send({"type": "http.response.start", "status": 404, "headers": [(b"x-handled-by", b"django")]})
    await send({"type": "http.response.body", "body": b""})


def call_webhook(host: str, path: str, body: bytes = b"", *, method: str = "POST", content_type: str = "application/json", **headers):
    """`headers` as Django's test client spells them (HTTP_X_TOKEN="…")."""
    raw = [(b"host", host.encode()), (b"content-type", content_type.encode())]
    for name, value in headers.items():
        raw.append((name.removeprefix("HTTP_").replace("_", "-").lower().encode(), str(value).encode()))
    path, _, query = path.partition("?")
    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(), "headers": raw}
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive():
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async_to_sync(WebhookRoute(_not_ours, in_caller_thread=True))(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body_out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return WebhookResponse(start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body_out)
