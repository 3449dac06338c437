"""Memory a worker process gains from the offline AI models, and items per second of each offline AI step.

A fresh Python process sets Django up as a worker does (every app and step registered: no model is loaded then),
reads its resident memory (VmRSS), loads every offline model (Korean sentiment weights, VADER, kiwipiepy) by running
each step once, and reads it again; the difference is what the models cost a worker (the peak, VmHWM, is printed
too). Then each step runs through the engine over `BENCH_AI_ITEMS` items (default 500), median of 3.

    .venv/bin/python -m bench.ai_memory          (or make bench BENCH=ai_memory)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

KO = (
    "배송이 2주째 안 오고 고객센터는 연락도 없네요. 다음주 화요일 오후 3시까지 3만 5천원 환불해 주세요. "
    "연락처 010-1234-5678, hong@example.com"
)
EN = "Thanks for the quick reply! Can we meet next Friday at 3 pm? My number is 010-9876-5432 and the invoice is $1,299.99."
ARTICLE = (
    "서울시는 내년부터 모든 구청에 인공지능 민원 상담 서비스를 도입한다고 밝혔다. 이 서비스는 시민이 전화나 채팅으로 "
    "민원을 넣으면 자동으로 담당 부서를 찾아 연결해 준다. 시범 운영 기간 동안 민원 처리 시간이 평균 30% 줄었다. "
    "서울시 관계자는 상담 서비스 만족도도 크게 올랐다고 말했다. 다만 개인정보 보호에 대한 우려도 제기됐다."
)
LABELS = [
    {"label": "delivery", "examples": "배송, 택배, 도착, delivery, shipping"},
    {"label": "refund", "examples": "환불, 반품, 취소, refund, return"},
    {"label": "account", "examples": "로그인, 비밀번호, password, login"},
]

TRAIN = [
    ("배송이 늦어요 택배가 아직 안 왔습니다 where is my parcel", "delivery"),
    ("환불해 주세요 반품 신청합니다 I want a refund", "refund"),
    ("비밀번호를 잊어버렸어요 로그인이 안 됩니다 cannot log in", "account"),
]

STEPS = {
    "ai.sentiment": ({}, lambda i: {"text": KO if i % 2 else EN}),
    "ai.extract": ({}, lambda i: {"text": KO if i % 2 else EN}),
    "ai.mask": ({"fields": "text"}, lambda i: {"text": KO if i % 2 else EN}),
    "ai.summarize": ({"sentences": 2}, lambda i: {"text": ARTICLE}),
    "ai.keywords": ({"count": 5}, lambda i: {"text": ARTICLE if i % 2 else EN}),
    "ai.classify": ({"labels": LABELS}, lambda i: {"text": KO if i % 2 else EN}),
    "ai.language": ({}, lambda i: {"text": KO if i % 2 else EN}),
    "ai.anomalies": ({"value_field": "v"}, lambda i: {"v": 100 + (i % 7) + (500 if i % 97 == 0 else 0)}),
    "ai.forecast": ({"value_field": "v", "horizon": 3}, lambda i: {"v": 100 + i + (i % 5)}),
}


def _status(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    import django

    django.setup()
    from apps.flows.engine.context import LocalHost
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph

    def run(key: str, parameters: dict, items: list[dict], host=None) -> float:
        graph = Graph.from_dict(
            {
                "nodes": [
                    {"id": "t", "type": "trigger.manual", "name": "Start", "parameters": {}, "settings": {}},
                    {"id": "s", "type": key, "name": "Step", "parameters": parameters, "settings": {}},
                ],
                "edges": [{"source": "t", "target": "s", "source_port": "main", "target_port": "main"}],
            }
        )
        started = time.perf_counter()
        result = Executor(graph, host=host or LocalHost()).run(trigger_items=items)
        assert result.status == "success", result.error
        return time.perf_counter() - started

    before = _status("VmRSS")
    for key, (parameters, make) in STEPS.items():
        run(key, parameters, [make(i) for i in range(4)])
    # The customer-message model is asked only about messages the other models read as neutral: load it too.
    run("ai.sentiment", {}, [{"text": "주문한 의자 다리가 하나 빠진 채로 도착했습니다."}, {"text": "The parcel went astray."}])
    from apps.ai.offline import cache

    after = _status("VmRSS")
    report = {"before_kb": before, "after_kb": after, "peak_kb": _status("VmHWM"), "models": cache.loaded(), "steps": {}}
    count = int(os.environ.get("BENCH_AI_ITEMS", "500"))
    for key, (parameters, make) in STEPS.items():
        items = [make(i) for i in range(count)]
        seconds = statistics.median(run(key, parameters, items) for _ in range(3))
        report["steps"][key] = count / seconds
    # Training a classifier from examples (one version per run) and classifying with it; without a database the
    # versions live on the host object, so one host carries the trained model from the first step to the second.
    host = LocalHost()
    examples = [{"text": f"{TRAIN[i % 3][0]} {i}", "label": TRAIN[i % 3][1]} for i in range(count)]
    seconds = statistics.median(run("ai.classifier_train", {"model": "bench"}, examples, host) for _ in range(3))
    report["steps"]["ai.classifier_train"] = count / seconds
    items = [{"text": KO if i % 2 else EN} for i in range(count)]
    seconds = statistics.median(run("ai.classifier_predict", {"model": "bench"}, items, host) for _ in range(3))
    report["steps"]["ai.classifier_predict"] = count / seconds
    print(json.dumps(report))


def main() -> int:
    if "--child" in sys.argv:
        child()
        return 0
    done = subprocess.run([sys.executable, "-m", "bench.ai_memory", "--child"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-3000:])
        return 1
    report = json.loads(done.stdout.strip().splitlines()[-1])
    gained = (report["after_kb"] - report["before_kb"]) / 1024
    print(
        f"worker process after django.setup(): {report['before_kb'] / 1024:.0f} MB; after loading {', '.join(report['models'])}: "
        f"{report['after_kb'] / 1024:.0f} MB (+{gained:.0f} MB; peak {report['peak_kb'] / 1024:.0f} MB)"
    )
    print(f"items per second over {os.environ.get('BENCH_AI_ITEMS', '500')} items (median of 3, one process):")
    for key, rate in report["steps"].items():
        print(f"  {key:<22} {rate:>10,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
