"""Real n8n workflows: how many import, pass validation, how many of their nodes become real steps, how many run.

Reads ../shared/data/n8n-workflows in place (never copied into the repository). For each workflow: import (a crash is
counted, not raised), validate, count working nodes (not sticky notes) mapped to a real step rather than a
placeholder, and run the flows whose nodes are all mapped and which pass validation, from their first trigger, with
HTTP answered by an in-process fake (no internet) and waits not slept. Prints totals and the unmapped types.

    make bench BENCH=n8n_import          (N8N_CORPUS=path to read another folder; N8N_VERBOSE=1 for each failure)
"""

from __future__ import annotations

import collections
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("N8N_CORPUS", ROOT.parent / "shared" / "data" / "n8n-workflows"))
VERBOSE = os.environ.get("N8N_VERBOSE") == "1"
TOP = int(os.environ.get("N8N_TOP", "25"))
NOT_WORKING = {"n8n-nodes-base.stickyNote"}


def fake_answer(request):
    """What each service would say, shaped enough for its step to read it (JSON, no internet)."""
    import httpx2

    host, path = request.url.host, request.url.path
    if path.endswith("/chat/completions"):
        message = {"role": "assistant", "content": '{"ok": true}'}
        return httpx2.Response(200, json={"id": "c1", "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "message": message}]})
    if "anthropic" in host:
        content = [{"type": "text", "text": '{"ok": true}'}]
        return httpx2.Response(
            200, json={"id": "m1", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn", "content": content}
        )
    if "telegram" in host:
        return httpx2.Response(200, json={"ok": True, "result": {"message_id": 1, "chat": {"id": 1}, "date": 0, "text": "x"}})
    if "slack" in host:
        return httpx2.Response(200, json={"ok": True, "ts": "1.0", "channel": "C1", "message": {"text": "x"}})
    return httpx2.Response(200, json={"ok": True, "id": 1, "data": [], "items": [], "results": [], "records": [], "values": []})


def fake_http():
    """Every HTTP call (HTTP step, connectors, AI providers) gets an answer from this process: the bench measures
    EZFlow, not the internet."""
    import httpx2

    import apps.ai.providers.anthropic as anthropic
    import apps.ai.providers.openai_compatible as openai_compatible
    from apps.flows.nodes.builtin import network

    def client(**kwargs):
        return httpx2.Client(transport=httpx2.MockTransport(fake_answer))

    network.guarded_client = anthropic.guarded_client = openai_compatible.guarded_client = client


def bench_host():
    """A host that lends every step a made-up credential of the kind it asks for (web addresses at example.com)."""
    from apps.flows.credential_kinds import registry as kinds
    from apps.flows.engine.context import LocalHost

    class BenchHost(LocalHost):
        def credential(self, credential_id, credential_type):
            kind = kinds.get(credential_type)
            data = {"access_token": "bench", "api_key": "bench", "token": "bench"}
            for item in kind.fields if kind else ():
                name = item.name
                data[name] = "587" if "port" in name else "https://hooks.example.com/bench" if "url" in name else "bench"
                if name == "host":
                    data[name] = "127.0.0.1"  # refused at once by the SSRF guard: there is no fake database here
            return data

    return BenchHost()


_PATH = r"((?:\.[A-Za-z_$][\w$]*|\[\s*[\"'][^\"']+[\"']\s*\])+)"
_SEGMENT = re.compile(r"\.([A-Za-z_$][\w$]*)|\[\s*[\"']([^\"']+)[\"']\s*\]")
_JS_METHODS = {"toString", "toLowerCase", "toUpperCase", "trim", "length", "split", "replace", "includes", "map", "filter", "join"}


def referenced_sample(workflow: dict, trigger_name: str) -> dict:
    """A fake event holding every field the workflow reads from its trigger: `$('Trigger').first().json.body.rule`,
    `$node["Trigger"].json.x`, and `$json.x` in the nodes the trigger feeds. Without pinned data this is what an
    event must carry for the flow to run at all (n8n fails the same way on an event without them)."""
    name = re.escape(trigger_name)
    patterns = [
        re.compile(r"\$\(\s*[\"']" + name + r"[\"']\s*\)\s*\.\s*(?:item|first\(\)|last\(\)|all\(\)\[0\])\s*\.json" + _PATH),
        re.compile(r"\$node\[\s*[\"']" + name + r"[\"']\s*\]\.json" + _PATH),
    ]
    texts = [json.dumps(node.get("parameters") or {}).replace('\\"', '"') for node in workflow.get("nodes") or []]
    direct = {
        target.get("node")
        for targets in ((workflow.get("connections") or {}).get(trigger_name) or {}).get("main") or []
        for target in targets or []
        if isinstance(target, dict)
    }
    texts_direct = [
        json.dumps(node.get("parameters") or {}).replace('\\"', '"') for node in workflow.get("nodes") or [] if node.get("name") in direct
    ]
    paths = [m.group(1) for text in texts for pattern in patterns for m in pattern.finditer(text)]
    paths += [m.group(1) for text in texts_direct for m in re.finditer(r"\$json" + _PATH, text)]
    sample: dict = {}
    for path in paths:
        keys = [a or b for a, b in _SEGMENT.findall(path)]
        while keys and keys[-1] in _JS_METHODS:
            keys.pop()
        place = sample
        for key in keys[:-1]:
            place = place.setdefault(key, {}) if isinstance(place.get(key, {}), dict) else {}
        if keys and keys[-1] not in place:
            place[keys[-1]] = "sample"
    return sample


def merged(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else out.get(key, value)
    return out


def trigger_items(workflow: dict, trigger: dict) -> list[dict]:
    """The trigger's pinned sample from the export when it has one (what n8n itself would replay), else a small one
    with the fields the workflow reads from it."""
    pinned = (workflow.get("pinData") or {}).get(trigger["name"])
    if isinstance(pinned, list) and pinned:
        return [entry.get("json", entry) if isinstance(entry, dict) else {} for entry in pinned]
    base = {}
    if trigger["type"] == "trigger.webhook":
        base = {"body": {"email": "a@example.com", "name": "Ann", "message": "hello"}, "headers": {}, "query": {}}
    return [merged(base, referenced_sample(workflow, trigger["name"]))]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    import django

    django.setup()
    from apps.flows.engine.context import LocalHost
    from apps.flows.engine.errors import EngineError
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph
    from apps.flows.engine.n8n import import_n8n, workflows_in
    from apps.flows.engine.validation import validate_graph
    from apps.flows.nodes.registry import load_builtin_nodes

    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: the n8n workflow corpus lives next to the repository (../shared/data/n8n-workflows)")
        return 0
    fake_http()
    registry = load_builtin_nodes()
    files = sorted(CORPUS.glob("*.json"))
    counts = collections.Counter()
    unmapped = collections.Counter()
    problems = collections.Counter()
    run_failures = collections.Counter()
    credential_failures = collections.Counter()
    started = time.perf_counter()
    import_seconds = 0.0
    for path in files:
        counts["files"] += 1
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            counts["not_json"] += 1
            continue
        workflows = workflows_in(data)
        if not workflows:
            counts["not_n8n"] += 1
            continue
        for workflow in workflows:
            counts["workflows"] += 1
            began = time.perf_counter()
            try:
                result = import_n8n(workflow)
            except Exception as exc:  # noqa: BLE001  (the bench counts crashes instead of stopping)
                counts["import_crashed"] += 1
                if VERBOSE:
                    print(f"  import crashed: {path.name}: {exc!r}")
                continue
            import_seconds += time.perf_counter() - began
            counts["imported"] += 1
            working = [n for n in workflow["nodes"] if isinstance(n, dict) and n.get("type") not in NOT_WORKING]
            missing = {u["name"] for u in result.unsupported}
            counts["nodes"] += len(working)
            counts["nodes_mapped"] += sum(1 for n in working if n.get("name") not in missing)
            for found in result.unsupported:
                unmapped[found["type"]] += 1
            if not missing:
                counts["fully_mapped_any"] += 1
            found_problems = validate_graph(result.graph)
            credential_params = {
                (node["id"], f"parameters.{param.name}")
                for node in result.graph["nodes"]
                for param in registry.get(node["type"]).params
                if param.type == "credential"
            }
            only_credentials = all(p.code == "required" and (p.node_id, p.path) in credential_params for p in found_problems)
            if only_credentials:
                counts["valid_with_credentials"] += 1
            if found_problems and only_credentials and not missing:
                # fully mapped, only the account choices missing: run with made-up accounts against the fakes
                counts["needs_credentials"] += 1
                for node_id, param_path in credential_params:
                    next(n for n in result.graph["nodes"] if n["id"] == node_id)["parameters"][param_path.split(".", 1)[1]] = "bench"
                triggers = [n for n in result.graph["nodes"] if registry.get(n["type"]).is_trigger]
                executor = Executor(Graph.from_dict(result.graph), host=bench_host(), sleep=lambda seconds: None)
                try:
                    outcome = executor.run(trigger_items=trigger_items(workflow, triggers[0]), start_node=triggers[0]["id"])
                except EngineError as exc:
                    credential_failures[exc.code] += 1
                    continue
                if outcome.status in ("success", "waiting", "suspended"):
                    counts["ran_with_credentials"] += 1
                else:
                    credential_failures[outcome.error_code or outcome.status] += 1
                    if VERBOSE:
                        print(f"  run with made-up credentials {outcome.status}: {path.name}: {(outcome.error or '')[:160]}")
            if found_problems:
                for problem in found_problems:
                    problems[problem.code] += 1
                if VERBOSE:
                    print(f"  invalid: {path.name}: {[(p.code, p.node_id, p.path) for p in found_problems][:4]}")
                continue
            counts["valid"] += 1
            if missing:
                continue
            counts["fully_mapped"] += 1
            graph = Graph.from_dict(result.graph)
            triggers = [n for n in result.graph["nodes"] if registry.get(n["type"]).is_trigger]
            if not triggers:
                continue
            executor = Executor(graph, host=LocalHost(), sleep=lambda seconds: None)
            try:
                outcome = executor.run(trigger_items=trigger_items(workflow, triggers[0]), start_node=triggers[0]["id"])
            except EngineError as exc:
                run_failures[exc.code] += 1
                continue
            if outcome.status in ("success", "waiting", "suspended"):
                counts["ran"] += 1
            else:
                run_failures[outcome.error_code or outcome.status] += 1
                if VERBOSE:
                    print(f"  run {outcome.status}: {path.name}: {outcome.error_code}: {(outcome.error or '')[:160]}")
    total = time.perf_counter() - started
    workflows = counts["workflows"] or 1

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({part / (whole or 1):.0%})"

    print(f"n8n workflows in {CORPUS}: {counts['files']} files, {counts['workflows']} workflows")
    print(f"imported without a crash   {share(counts['imported'], workflows)}")
    print(f"valid after import         {share(counts['valid'], workflows)}")
    print(f"valid once credentials are chosen {share(counts['valid_with_credentials'], workflows)}")
    print(f"node coverage              {share(counts['nodes_mapped'], counts['nodes'])} working nodes became real steps")
    print(f"all nodes mapped           {share(counts['fully_mapped_any'], workflows)}; {counts['fully_mapped']} of them valid as imported")
    print(f"ran to completion          {share(counts['ran'], counts['fully_mapped'])} of the fully mapped and valid (HTTP faked)")
    print(
        f"needing only credentials   {share(counts['ran_with_credentials'], counts['needs_credentials'])} of the fully mapped "
        "that need accounts ran with made-up ones (HTTP/AI faked; no fake database or mail server)"
    )
    print("  their failures           " + ", ".join(f"{code} {n}" for code, n in credential_failures.most_common(8)))
    print(f"import time                {import_seconds * 1000 / workflows:.1f} ms per workflow; whole bench {total:.1f} s")
    print("validation problems        " + ", ".join(f"{code} {n}" for code, n in problems.most_common(8)))
    print("run failures               " + ", ".join(f"{code} {n}" for code, n in run_failures.most_common(8)))
    print("most frequent unmapped      " + ", ".join(f"{name.split('.')[-1]} {n}" for name, n in unmapped.most_common(TOP)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
