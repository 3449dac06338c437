"""The offline assistant planner against the public evaluation set (bench/data/assistant_eval.json, which the planner
was tuned on) and the held-out set (bench/data/assistant_heldout.json, never tuned on), each printed: share of
drafts that validate (credential placeholders allowed), step recall and precision against the reference steps (the
trigger apart), slot accuracy, follow-ups applied correctly, latency p50/p95.

    .venv/bin/python -m bench.assistant          (or make bench BENCH=assistant)
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections import Counter
from pathlib import Path

from bench.common import percentile, setup_django

DATA = Path(__file__).resolve().parent / "data" / "assistant_eval.json"
# Written once, before the planner ran on it, and never used to tune it (bench/README.md).
HELD_OUT = Path(__file__).resolve().parent / "data" / "assistant_heldout.json"


def _slot_values(graph: dict, registry) -> dict:
    values = {}
    for node in graph["nodes"]:
        node_type = registry.get(node["type"])
        parameters = node.get("parameters") or {}
        prefix = "schedule" if node_type.trigger_kind == "schedule" else node["type"]
        for name, value in parameters.items():
            values[f"{prefix}.{name}"] = value
        for condition in parameters.get("conditions") or []:
            values[f"{node['type']}.right"] = condition.get("right")
    return values


def evaluate(cases: dict, registry, plan, **options) -> dict:
    """The offline planner's numbers on one evaluation set (`options` go to `plan`, e.g. templates)."""
    valid = hits = expected_total = produced_total = slot_right = slot_total = 0
    latencies, triggers_right, misses, from_template = [], 0, [], 0
    for case in cases["requests"]:
        language = "ko" if any("가" <= ch <= "힣" for ch in case["prompt"]) else "en"
        started = time.perf_counter()
        draft = plan(case["prompt"], language=language, time_zone="Asia/Seoul", **options)
        latencies.append(time.perf_counter() - started)
        valid += draft.valid
        from_template += draft.template is not None
        nodes = draft.graph["nodes"]
        triggers_right += registry.get(nodes[0]["type"]).trigger_kind == case["trigger"]
        produced = Counter(n["type"] for n in nodes[1:])
        wanted = Counter(case["steps"])
        hits += sum((produced & wanted).values())
        expected_total += sum(wanted.values())
        produced_total += sum(produced.values())
        values = _slot_values(draft.graph, registry)
        for key, value in case["slots"].items():
            slot_total += 1
            slot_right += values.get(key) == value
            if values.get(key) != value:
                misses.append(f"slot {key}: {values.get(key)!r} ≠ {value!r} in {case['prompt']}")
        if produced != wanted:
            misses.append(f"steps {sorted(produced.elements())} ≠ {sorted(wanted.elements())} in {case['prompt']}")
    follow_right = 0
    for case in cases.get("follow_ups", []):
        first = plan(case["first"], time_zone="Asia/Seoul")
        second = plan(case["prompt"], graph=first.graph, time_zone="Asia/Seoul")
        got = sorted(n["type"] for n in second.graph["nodes"][1:])
        values = _slot_values(second.graph, registry)
        slots_ok = all(values.get(key) == value for key, value in case.get("slots", {}).items())
        ok = got == sorted(case["steps"]) and second.valid and slots_ok
        follow_right += ok
        if not ok:
            misses.append(f"follow-up {case['prompt']}: {got} {'' if slots_ok else values}")
    total = len(cases["requests"])
    return {
        "total": total,
        "korean": sum(1 for c in cases["requests"] if any("가" <= ch <= "힣" for ch in c["prompt"])),
        "valid": valid / total,
        "trigger": triggers_right / total,
        "recall": hits / expected_total,
        "precision": hits / max(produced_total, 1),
        "slots": (slot_right, slot_total),
        "follow_ups": (follow_right, len(cases.get("follow_ups", []))),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "from_template": from_template,
        "misses": misses,
    }


def report(title: str, numbers: dict) -> None:
    right, slots = numbers["slots"]
    print(f"\n{title}: {numbers['total']} requests ({numbers['korean']} Korean)")
    print(f"valid drafts         {numbers['valid']:.1%}")
    print(f"trigger right        {numbers['trigger']:.1%}")
    print(f"step recall          {numbers['recall']:.1%}")
    print(f"step precision       {numbers['precision']:.1%}")
    print(f"slot accuracy        {right / max(slots, 1):.1%} ({right}/{slots})")
    print(f"follow-ups right     {numbers['follow_ups'][0]}/{numbers['follow_ups'][1]}")
    print(f"latency p50 / p95    {numbers['p50'] * 1000:.1f} ms / {numbers['p95'] * 1000:.1f} ms")
    if numbers["from_template"]:
        print(f"from a template      {numbers['from_template']}/{numbers['total']}")
    if os.environ.get("BENCH_VERBOSE"):
        print("\n".join(numbers["misses"]))


def main() -> int:
    setup_django()
    from apps.assistant.planner import plan
    from apps.assistant.planner.templates import from_content
    from apps.flows.nodes.registry import registry
    from apps.marketplace.content import shipped_templates

    cases = json.loads(DATA.read_text())
    held_out = json.loads(HELD_OUT.read_text())
    report("offline planner, public set (tuned on)", evaluate(cases, registry, plan))
    report("offline planner, held-out set (written before tuning; see bench/README.md)", evaluate(held_out, registry, plan))
    shipped = [from_content(content) for content in shipped_templates()]
    for name, data in (("public", cases), ("held-out", held_out)):
        report(
            f"offline planner with the {len(shipped)} shipped templates as skeletons, {name} set",
            evaluate(data, registry, plan, templates=shipped),
        )
    print(f"\nmax RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (no analyser model loaded)")
    claude_replay(cases, registry)
    return 0


def _scripted_turns(case: dict) -> list[dict]:
    """Messages API bodies of a model that does exactly what the case expects (search, trigger, steps, validate,
    answer): the replay measures the engine and its tools, not the model's judgement."""

    def message(*content, stop="tool_use"):
        usage = {"input_tokens": 1800, "output_tokens": 80, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        return {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-6",
            "content": list(content),
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
        }

    def use(number, name, arguments):
        return {"type": "tool_use", "id": f"toolu_{number}", "name": name, "input": arguments}

    slots = case["slots"]
    trigger = {"schedule": "trigger.schedule", "webhook": "trigger.webhook"}.get(case["trigger"], "trigger.manual")
    trigger_parameters = (
        {"preset": "custom", "cron": slots.get("schedule.cron", "0 9 * * *"), "time_zone": "Asia/Seoul"}
        if trigger == "trigger.schedule"
        else {}
    )
    calls = [use(2, "add_step", {"key": trigger, "parameters": trigger_parameters})]
    for index, key in enumerate(case["steps"], start=1):
        parameters = {name.split(".")[-1]: value for name, value in slots.items() if name.rsplit(".", 1)[0] == key}
        if key == "flow.if":
            parameters = {"conditions": [{"left": "{{ json.amount }}", "operator": "gte", "right": parameters.pop("right", 0)}]}
        calls.append(use(10 + index, "add_step", {"key": key, "after": f"n{index}", "parameters": parameters}))
    return [
        message(use(1, "search_steps", {"query": case["prompt"]})),
        message(*calls),
        message(use(99, "validate", {})),
        message({"type": "text", "text": "Done."}, stop="end_turn"),
    ]


def claude_replay(cases: dict, registry) -> None:
    """The Claude engine with the real SDK on a mock transport replaying scripted Messages API answers as server-sent
    event streams (the engine uses the streaming API)."""
    import httpx2

    from apps.ai.providers import anthropic as provider
    from apps.assistant.claude import engine
    from tests.ai.support import sse_stream

    latencies, valid, hits, expected_total, slot_right, slot_total, requests = [], 0, 0, 0, 0, 0, 0
    for case in cases["requests"]:
        answers = _scripted_turns(case)

        def handler(request, answers=answers):
            headers = {"request-id": "req_bench", "content-type": "text/event-stream"}
            return httpx2.Response(200, content=sse_stream(answers.pop(0)), headers=headers)

        provider.http_client = lambda handler=handler, **kw: httpx2.Client(transport=httpx2.MockTransport(handler))
        started = time.perf_counter()
        result = engine.run(
            case["prompt"],
            graph=None,
            language="en",
            time_zone="Asia/Seoul",
            api_key="sk-ant-bench",
            model="claude-sonnet-4-6",
            registry=registry,
        )
        latencies.append(time.perf_counter() - started)
        requests += result.usage.calls
        valid += not result.problems
        produced = Counter(n["type"] for n in result.graph["nodes"][1:])
        wanted = Counter(case["steps"])
        hits += sum((produced & wanted).values())
        expected_total += sum(wanted.values())
        values = _slot_values(result.graph, registry)
        for key, value in case["slots"].items():
            slot_total += 1
            slot_right += values.get(key) == value
    total = len(cases["requests"])
    print(f"\nClaude engine, scripted replay (real SDK, mock transport; {requests} Messages API calls)")
    print(f"valid drafts         {valid / total:.1%}")
    print(f"step recall          {hits / expected_total:.1%}")
    print(f"slot accuracy        {slot_right / max(slot_total, 1):.1%} ({slot_right}/{slot_total})")
    print(f"engine time p50/p95  {percentile(latencies, 50) * 1000:.1f} ms / {percentile(latencies, 95) * 1000:.1f} ms (no network)")


if __name__ == "__main__":
    raise SystemExit(main())
