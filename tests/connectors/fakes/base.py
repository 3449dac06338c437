"""What every fake service shares: the recording HTTP server of tests/support and readers for request bodies."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from tests.support.fake_http import FakeServer


class FakeService(FakeServer):
    def __init__(self):
        super().__init__()
        # [(status, headers, body)] answered before any route, one per request: rate limits and outages.
        self.next_answers: list[tuple] = []
        routes = self.routes

        class Routes(dict):
            def get(self, path, default=None):
                if fake.next_answers:
                    answer = fake.next_answers.pop(0)
                    return lambda request: answer
                return dict.get(self, path, default)

        fake = self
        self.routes = Routes(routes)

    @staticmethod
    def form(request: dict) -> dict:
        assert request["headers"].get("Content-Type", "").startswith("application/x-www-form-urlencoded"), request["headers"]
        return {k: v[0] for k, v in parse_qs(request["body"].decode(), keep_blank_values=True).items()}

    @staticmethod
    def json_body(request: dict):
        assert request["headers"].get("Content-Type", "").startswith("application/json"), request["headers"]
        return json.loads(request["body"])

    @staticmethod
    def multipart(request: dict) -> dict:
        """{field: text} and {field: (file name, bytes, content type)} of a multipart/form-data body."""
        from email.parser import BytesParser
        from email.policy import HTTP

        kind = request["headers"].get("Content-Type", "")
        assert kind.startswith("multipart/form-data"), request["headers"]
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + kind.encode() + b"\r\n\r\n" + request["body"])
        fields = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            content = part.get_payload(decode=True)
            file_name = part.get_filename()
            fields[name] = (file_name, content, part.get_content_type()) if file_name is not None else content.decode()
        return fields

    @staticmethod
    def bearer(request: dict) -> str:
        value = request["headers"].get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else ""

    def path_requests(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]
