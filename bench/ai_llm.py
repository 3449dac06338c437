"""Items per second of the LLM and agent steps against a local OpenAI-compatible server that answers at once.

What it measures is EZFlow's own cost per model call (expressions, the SSRF guard, the HTTP request, reading the
answer, usage and cost): with a real model the time is the model's. The server is a thread in this process on
127.0.0.1; nothing leaves the machine. The agent answers each item in two turns (a calculator call, then text).

    .venv/bin/python -m bench.ai_llm          (or make bench BENCH=ai_llm; BENCH_LLM_ITEMS, default 200)
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.common import setup_django


def _completion(message: dict, finish: str) -> dict:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "model": "bench-model",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49},
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        asked_tools = body.get("tools") and not any(m.get("role") == "tool" for m in body.get("messages", []))
        if asked_tools:
            call = {"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": '{"expression": "1200 * 1.1"}'}}
            answer = _completion({"content": None, "tool_calls": [call]}, "tool_calls")
        else:
            answer = _completion({"content": "네, 확인했습니다."}, "stop")
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> int:
    os.environ["EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS"] = "1"  # the local model server (as bench.mqtt_listener does)
    setup_django()
    from apps.flows.engine.context import LocalHost
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    credentials = {"local": {"type": "openai_compatible", "data": {"base_url": base, "api_key": "bench"}}}
    count = int(os.environ.get("BENCH_LLM_ITEMS", "200"))
    common = {"provider": "openai_compatible", "credential": "local", "model": "bench-model", "prompt": "{{ json.q }}"}
    steps = {
        "ai.llm": {**common, "system": "Answer briefly."},
        "ai.agent (2 turns, 1 tool call)": {**common, "tool_current_time": False},
    }
    print(f"items per second over {count} items against a local server that answers at once (median of 3):")
    try:
        for label, parameters in steps.items():
            key = label.split(" ")[0]
            graph = Graph.from_dict(
                {
                    "nodes": [
                        {"id": "t", "type": "trigger.manual", "name": "Start", "parameters": {}, "settings": {}},
                        {"id": "s", "type": key, "name": "Step", "parameters": parameters, "settings": {}},
                    ],
                    "edges": [{"source": "t", "target": "s", "source_port": "main", "target_port": "main"}],
                }
            )
            timings = []
            for _ in range(3):
                host = LocalHost(credentials=credentials, http_allow_hosts=("127.0.0.1",))
                started = time.perf_counter()
                result = Executor(graph, host=host).run(trigger_items=[{"q": f"주문 {i} 배송 언제 오나요?"} for i in range(count)])
                assert result.status == "success", result.error
                timings.append(time.perf_counter() - started)
            print(f"  {label:<34} {count / statistics.median(timings):>8,.0f}")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
