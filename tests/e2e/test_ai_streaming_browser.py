"""An LLM step tested in the editor, in a real browser against the real stack (daphne, WebSocket): a local
OpenAI-compatible server writes its answer slowly as server-sent events, the test panel shows the text growing while
the request is still running, and the step's output at the end is the whole answer. Then a run of the flow shows its
tokens on the run page and in monitoring."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor, select

pytestmark = [pytest.mark.browser, pytest.mark.stack]

PIECES = ["Your parcel ", "left our depot ", "this morning ", "and arrives ", "tomorrow."]


class SlowModelServer:
    """POST /v1/chat/completions: with `stream: true`, one `chat.completion.chunk` per piece, 0.6 s apart."""

    def __init__(self):
        self.bodies: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                server.bodies.append(body)
                if not body.get("stream"):  # a run: one whole chat completion
                    message = {"role": "assistant", "content": "".join(PIECES)}
                    answer = json.dumps(
                        {
                            "id": "c2",
                            "object": "chat.completion",
                            "model": "local-llm",
                            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 1200, "completion_tokens": 300},
                        }
                    ).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()

                def event(data):
                    self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()

                def chunk(delta, finish=None):
                    return {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "model": "local-llm",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }

                event(chunk({"role": "assistant", "content": ""}))
                for piece in PIECES:
                    time.sleep(0.6)
                    event(chunk({"content": piece}))
                event(chunk({}, "stop"))
                event(
                    {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "model": "local-llm",
                        "choices": [],
                        "usage": {"prompt_tokens": 12, "completion_tokens": 9},
                    }
                )
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()


def test_the_answer_appears_while_it_is_written(embedded_stack, new_context, shots):
    model = SlowModelServer()
    try:
        org = Organization(embedded_stack, "ai-stream")
        assert org.api.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
        credential = org.api.post(
            "/api/v1/credentials",
            json={"name": "Local model", "type": "openai_compatible", "data": {"base_url": model.url("/v1"), "api_key": "k"}},
        )
        assert credential.status_code == 201, credential.text
        graph = {
            "nodes": [
                {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0]},
                {
                    "id": "ask",
                    "type": "ai.llm",
                    "name": "Answer",
                    "position": [260, 0],
                    "parameters": {
                        "provider": "openai_compatible",
                        "credential": str(credential.json()["id"]),
                        "model": "local-llm",
                        "prompt": "Where is my parcel?",
                    },
                },
            ],
            "edges": [{"source": "start", "target": "ask"}],
        }
        flow = org.flow("Parcel answers", graph)
        page = new_context(viewport=DESKTOP).new_page()
        sign_in_with_link(page, org.login_url)
        open_editor(page, org, flow["id"])
        expect(page.get_by_test_id("editor")).to_have_attribute("data-live", "open", timeout=15_000)
        select(page, "Answer")
        page.get_by_test_id("test-node").click()

        stream = page.get_by_test_id("llm-stream")
        expect(stream).to_contain_text("Your parcel", timeout=10_000)
        partial = stream.inner_text()
        assert "tomorrow." not in partial  # shown before the answer is complete
        shots.take(page, "partial")
        expect(stream).to_have_count(0, timeout=15_000)  # the test's answer replaced it
        expect(page.get_by_test_id("data-output")).to_contain_text("".join(PIECES))
        assert model.bodies[0]["stream"] is True
        assert new_context.page_errors == []

        # A run of the flow (not streamed) shows its AI usage on the run page and in monitoring.
        started = org.api.post(f"/api/v1/flows/{flow['id']}/run", json={"draft": True, "items": [{}, {}]})
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        for _ in range(60):
            run = org.api.get(f"/api/v1/runs/{run_id}").json()
            if run["status"] in ("success", "failed"):
                break
            time.sleep(0.5)
        assert run["status"] == "success", run
        assert run["extensions"]["ai_usage"]["total"]["total_tokens"] == 3000
        page.goto(embedded_stack.url(org.host, f"/runs/{run_id}/"))
        usage = page.get_by_test_id("run-ai-usage")
        expect(usage).to_contain_text("2 model calls, 3,000 tokens")
        expect(usage).to_contain_text("some models have no price in the settings")
        expect(page.get_by_test_id("run-ai-steps")).to_contain_text("Answer")
        usage.scroll_into_view_if_needed()
        shots.take(page, "run-page")
        page.goto(embedded_stack.url(org.host, "/monitoring/"))
        expect(page.get_by_test_id("ai-month-tokens")).to_have_text("3,021")  # the run and the step test in the editor
        expect(page.get_by_test_id("ai-month-cost")).to_have_text("–")  # a local model has no price
        expect(page.get_by_test_id("ai-flow-usage")).to_contain_text("Parcel answers")
        page.get_by_test_id("monitoring-ai-usage").scroll_into_view_if_needed()
        shots.take(page, "monitoring")
        assert new_context.page_errors == []
    finally:
        model.close()
