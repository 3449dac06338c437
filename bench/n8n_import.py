"""Real n8n workflows: how many import, pass validation, how many of their nodes become real steps, how many run.

Reads ../shared/data/n8n-workflows in place (never copied into the repository). For each workflow: import (a crash is
counted, not raised), validate, count working nodes (not sticky notes) mapped to a real step rather than a
placeholder, and run the flows whose nodes are all mapped and which pass validation, from their first trigger, with
HTTP answered by an in-process fake (no internet) and waits not slept. Prints totals and the unmapped types.

    make bench BENCH=n8n_import          (N8N_CORPUS=path to read another folder; N8N_VERBOSE=1 for each failure)
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
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


SCHEMA_ASKED = "It must match this JSON schema:\n"


def schema_instance(schema: dict):
    """The smallest value a JSON schema accepts, roughly: what a model asked for structured answer fields would say."""
    if not isinstance(schema, dict):
        return "sample"
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        return {name: schema_instance(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [schema_instance(schema.get("items") or {}) for _ in range(int(schema.get("minItems") or 0))]
    return {"integer": 1, "number": 1, "boolean": True, "null": None}.get(kind, "sample")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings_in(inner)


def model_answer(request) -> str:
    """A model's made-up answer: one that fits the answer fields the step asked for (their JSON schema, in the
    system prompt or Anthropic's output format), else a small JSON object."""
    try:
        body = json.loads(request.content or b"{}")
    except ValueError:
        body = {}
    schema = ((body.get("output_config") or {}).get("format") or {}).get("schema") if isinstance(body, dict) else None
    for text in strings_in(body):
        if schema is None and SCHEMA_ASKED in text:
            with contextlib.suppress(ValueError):
                schema = json.JSONDecoder().raw_decode(text.split(SCHEMA_ASKED, 1)[1])[0]
    return json.dumps(schema_instance(schema) if schema else {"ok": True})


# The columns the running workflow's Google Sheets nodes name: the fake sheet has them as its header row, as the
# person's real sheet does (n8n's export lists them; an empty made-up sheet has none, and appending to it fails).
SHEET_HEADER: list[str] = []


def sheet_columns(workflow: dict) -> list[str]:
    names: dict[str, None] = {}
    for node in workflow.get("nodes") or []:
        if isinstance(node, dict) and str(node.get("type", "")).endswith("googleSheets"):
            columns = (node.get("parameters") or {}).get("columns") or {}
            if isinstance(columns, dict):
                names.update(dict.fromkeys(str(c.get("id")) for c in columns.get("schema") or [] if isinstance(c, dict) and c.get("id")))
                names.update(dict.fromkeys(str(k) for k in (columns.get("value") or {})))
    return list(names)


def fake_answer(request):
    """What each service would say, shaped enough for its step to read it (JSON, no internet)."""
    import httpx2

    host, path = request.url.host, request.url.path
    if path.endswith("/chat/completions"):
        message = {"role": "assistant", "content": model_answer(request)}
        return httpx2.Response(200, json={"id": "c1", "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "message": message}]})
    if "anthropic" in host:
        content = [{"type": "text", "text": model_answer(request)}]
        return httpx2.Response(
            200, json={"id": "m1", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn", "content": content}
        )
    if host == "sheets.googleapis.com" and request.method == "GET" and SHEET_HEADER:
        return httpx2.Response(200, json={"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": [list(SHEET_HEADER)]})
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


PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}


@contextlib.contextmanager
def scratch_database():
    """A throw-away database on the local PostgreSQL (127.0.0.1:5432, trust) for the flows' Postgres steps; dropped at
    the end. None when the server is not there (those flows then fail, and are counted)."""
    import psycopg

    name = f"ezflow_bench_n8n_{os.getpid()}"
    try:
        admin = psycopg.connect(**PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.Error:
        yield None
        return
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {
                "host": "127.0.0.1",
                "port": "5432",
                "database": name,
                "username": PG_ADMIN["user"],
                "password": "",
                "ssl_mode": "disable",
            }
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fake_smtp():
    """A local SMTP server that accepts every message (aiosmtpd, as in tests/flows/nodes/test_network_nodes.py)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from tests.support.stack import free_port

    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield {"host": "127.0.0.1", "port": str(controller.port), "security": "none", "username": "", "password": ""}
    finally:
        controller.stop()


_SQL_WORDS = set(
    """select from where and or not null is in exists as on join left right inner outer full cross using insert into values
    update set delete returning with conflict do nothing order by group having limit offset case when then else end
    distinct all any some between like ilike true false asc desc nulls first last union except intersect interval
    lateral excluded filter over partition window row rows only fetch next current date time timestamp default primary
    key unique references table xmin xmax cmin cmax ctid oid tableoid""".split()
)
_CAST = re.compile(r"::\s*([a-z_]+(?:\s*\[\s*\])?)", re.I)
_TABLE_REF = re.compile(r"\b(from|join|into|update)\s+((?:[a-z_]\w*\.)?[a-z_]\w*)(?![\w.])(\s*\()?(?:\s+(?:as\s+)?([a-z_]\w*))?", re.I)
_IDENT = re.compile(r"(?<![:\w.'])([a-z_]\w*)(?:\.([a-z_]\w*))?(?:\.([a-z_]\w*))?(?!\s*\()(?!\w)", re.I)


def _column_type(name: str, cast: str | None) -> str:
    if cast:
        return {"int": "bigint", "integer": "bigint", "int4": "bigint", "int8": "bigint"}.get(cast.lower().replace(" ", ""), cast)
    if name == "id":
        return "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    if name.endswith("_at") or name in ("created", "updated", "timestamp"):
        return "timestamptz"
    if re.search(r"(^|_)(count|score|step|cap|rating|seconds|days|amount|total|price|qty|quantity|number)$", name):
        return "numeric"
    if re.search(r"(payload|reasons|metadata|data|json)$", name):
        return "jsonb"
    return "text"


def _top_level_split(text: str) -> list[str]:
    parts, depth, current, quote = [], 0, "", False
    for char in text:
        if char == "'":
            quote = not quote
        elif not quote and char == "(":
            depth += 1
        elif not quote and char == ")":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def tables_from_queries(queries: list[str]) -> list[str]:
    """CREATE statements for the tables the flows' SQL reads and writes, read from the SQL itself: each table named after
    FROM/JOIN/INTO/UPDATE, its columns from INSERT column lists, SET assignments, `alias.column` references and, in
    one-table statements, every other name; a column's type from a cast on the value written to it, else from its
    name (`id` an identity key, `…_at` a time, `…_count`/`…_score` a number, `…_payload` JSON, text otherwise); a
    unique index for each ON CONFLICT column list. An approximation: the flows' real schemas are not in the exports."""
    columns: dict[str, dict[str, str]] = collections.defaultdict(dict)
    uniques: set[tuple[str, tuple[str, ...]]] = set()
    for query in queries:
        text = re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"--[^\n]*", "", query))
        ctes = {m.lower() for m in re.findall(r"(?:with|,)\s*([a-z_]\w*)\s+as\s*\(", text, re.I)}
        aliases: dict[str, str] = {}
        tables: list[str] = []
        for keyword, table, call, alias in _TABLE_REF.findall(text):
            lower = table.lower()
            if (
                (call and keyword.lower() != "into")
                or lower in ctes
                or lower.split(".")[0] in ("information_schema", "pg_catalog")
                or lower in _SQL_WORDS
            ):
                continue
            tables.append(lower)
            columns[lower]
            aliases[lower.split(".")[-1]] = lower
            if alias and alias.lower() not in _SQL_WORDS:
                aliases[alias.lower()] = lower
        for table, names, values in re.findall(
            r"insert\s+into\s+((?:\w+\.)?\w+)\s*\(([^)]*)\)\s*values\s*\((.*?)\)\s*(?:on|returning|;|$)", text, re.I | re.S
        ):
            value_list = _top_level_split(values)
            for index, name in enumerate(n.strip().lower() for n in names.split(",")):
                cast = _CAST.search(value_list[index]) if index < len(value_list) else None
                columns[table.lower()][name] = _column_type(name, cast.group(1) if cast else None)
        for target, conflict in re.findall(r"insert\s+into\s+((?:\w+\.)?\w+).*?on\s+conflict\s*\(([^)]*)\)", text, re.I | re.S):
            uniques.add((target.lower(), tuple(n.strip().lower() for n in conflict.split(","))))
        for table, assignments in re.findall(r"update\s+((?:\w+\.)?\w+)\s+set\s+(.*?)(?:\bwhere\b|\breturning\b|;|$)", text, re.I | re.S):
            for part in _top_level_split(assignments):
                name = part.split("=", 1)[0].strip().lower()
                if re.fullmatch(r"[a-z_]\w*", name):
                    cast = _CAST.search(part.split("=", 1)[-1])
                    columns[table.lower()].setdefault(name, _column_type(name, cast.group(1) if cast else None))
        for first, second, third in _IDENT.findall(text):
            first, second, third = first.lower(), second.lower(), third.lower()
            if third and f"{first}.{second}" in columns:
                columns[f"{first}.{second}"].setdefault(third, _column_type(third, None))
            elif second and first in aliases:
                columns[aliases[first]].setdefault(second, _column_type(second, None))
            elif (
                not second
                and len(set(tables)) == 1
                and first not in _SQL_WORDS | set(aliases) | ctes
                and not re.search(r"(?:\bas|::)\s*" + re.escape(first) + r"\b", text, re.I)
            ):
                columns[tables[0]].setdefault(first, _column_type(first, None))
    statements = []
    for table, found in columns.items():
        if "." in table:
            statements.append(f'CREATE SCHEMA IF NOT EXISTS "{table.split(".")[0]}"')
        quoted = ".".join(f'"{part}"' for part in table.split("."))
        statements.append(f"CREATE TABLE IF NOT EXISTS {quoted} ()")
        for name, kind in found.items():
            statements.append(f'ALTER TABLE {quoted} ADD COLUMN IF NOT EXISTS "{name}" {kind}')
    for table, names in uniques:
        quoted = ".".join(f'"{part}"' for part in table.split("."))
        if all(n in columns.get(table, {}) for n in names):
            statements.append(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{table.replace(".", "_")}_{"_".join(names)}" ON {quoted} ({", ".join(names)})'
            )
    return statements


def create_tables(database: dict | None, graph: dict) -> None:
    """Creates in the scratch database the tables the flow's Postgres steps use (tables_from_queries); a statement the
    guess gets wrong is skipped, and the step that needs it fails and is counted."""
    import psycopg

    queries = [str(n["parameters"].get("query") or "") for n in graph["nodes"] if n["type"].startswith("postgres.")]
    if database is None or not any(queries):
        return
    with psycopg.connect(
        host=database["host"], port=int(database["port"]), dbname=database["database"], user=database["username"], autocommit=True
    ) as connection:
        for statement in tables_from_queries(queries):
            with contextlib.suppress(psycopg.Error):
                connection.execute(statement)


def bench_host(services: dict):
    """A host that lends every step a made-up credential of the kind it asks for (web addresses at example.com), or
    the local service standing in for it (`services`: kind -> credential data: the scratch database, the fake mail
    server), which 127.0.0.1 is allowed for (HTTP never leaves this process: see fake_http)."""
    from apps.flows.credential_kinds import registry as kinds
    from apps.flows.credential_kinds.oauth2 import TOKENS
    from apps.flows.engine.context import LocalHost

    class BenchHost(LocalHost):
        def credential(self, credential_id, credential_type):
            if credential_type in services:
                return {**services[credential_type], "from_email": "bench@example.com"}
            kind = kinds.get(credential_type)
            data = {"access_token": "bench", "api_key": "bench", "token": "bench"}
            for item in kind.fields if kind else ():
                name = item.name
                data[name] = "587" if "port" in name else "https://hooks.example.com/bench" if "url" in name else "bench"
                if name == "host":
                    data[name] = "127.0.0.1"
            if kind is not None and kind.oauth2:  # a connected OAuth2 account: the tokens the sign-in gave
                data[TOKENS] = {"access_token": "bench", "refresh_token": "bench", "token_type": "Bearer", "expires_at": None}
            return data

    return BenchHost(http_allow_hosts=("127.0.0.1",))


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
            place[keys[-1]] = sample_value(keys[-1])
    return sample


def sample_value(key: str):
    """A made-up value for a field a flow reads: a number for what its name says is a key or a count (run_pk,
    lead_id, count), an address for an e-mail field (“E-mail”, email), text otherwise."""
    if re.search(r"e-?mail", key, re.I):
        return "ann@example.com"
    return 1 if re.search(r"(^|_)(id|pk|count|number|num|index)$", key, re.I) else "sample"


def merged(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else out.get(key, value)
    return out


def sample_pdf() -> bytes:
    """A one-page PDF with a line of text, made here (fpdf2 with the font EZFlow ships for its PDFs)."""
    from fpdf import FPDF

    from apps.documents.pdf_html import FONT_FAMILY, FONTS

    pdf = FPDF()
    pdf.add_font(FONT_FAMILY, "", str(FONTS / "NanumSquareR.ttf"))
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Ann Example, software engineer. Python, Django, PostgreSQL. 5 years of experience.")
    return bytes(pdf.output())


def uploaded_files(workflow: dict, trigger_name: str, host) -> dict:
    """The files a person would upload with an n8n form: one sample PDF (stored in the run's file store) for each file
    field of the Form Trigger, under n8n's binary property name for it (the label, other characters than letters,
    digits and _ made _)."""
    node = next((n for n in workflow.get("nodes") or [] if n.get("name") == trigger_name), {})
    if node.get("type") != "n8n-nodes-base.formTrigger":
        return {}
    fields = ((node.get("parameters") or {}).get("formFields") or {}).get("values") or []
    names = [re.sub(r"\W", "_", str(f.get("fieldLabel") or "")) for f in fields if isinstance(f, dict) and f.get("fieldType") == "file"]
    return {name: host.files.save(data=sample_pdf(), name=f"{name}.pdf", mime_type="application/pdf") for name in names if name}


def trigger_items(workflow: dict, trigger: dict, host=None) -> list[dict]:
    """The trigger's pinned sample from the export when it has one (what n8n itself would replay), else a small one
    with the fields the workflow reads from it, and a sample file for each file field of a form."""
    pinned = (workflow.get("pinData") or {}).get(trigger["name"])
    if isinstance(pinned, list) and pinned:
        return [entry.get("json", entry) if isinstance(entry, dict) else {} for entry in pinned]
    base = {}
    if trigger["type"] == "trigger.schedule":
        from apps.runs.services.scheduler import schedule_item

        base = schedule_item(dt.datetime.now(dt.UTC), "Asia/Seoul")
    if trigger["type"] == "trigger.webhook":
        base = {"body": {"email": "a@example.com", "name": "Ann", "message": "hello"}, "headers": {}, "query": {}}
    item = merged(base, referenced_sample(workflow, trigger["name"]))
    if host is not None:
        item.update(uploaded_files(workflow, trigger["name"], host))
    return [item]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    # The stand-ins (scratch database, mail server) listen on loopback, which flows may never reach outside tests.
    os.environ["EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS"] = "1"
    import django

    django.setup()
    from django.conf import settings

    # An OpenAI-compatible server's default model is the operator's setting (EZFLOW_AI_MODELS); flows whose n8n export
    # names no model (n8n leaves its own default out) run on it, as they would on a deployment that sets one.
    if not (settings.EZFLOW_AI_MODELS or {}).get("openai_compatible"):
        settings.EZFLOW_AI_MODELS = {**(settings.EZFLOW_AI_MODELS or {}), "openai_compatible": ["bench-default-model"]}
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: the n8n workflow corpus lives next to the repository (../shared/data/n8n-workflows)")
        return 0
    fake_http()
    local = contextlib.ExitStack()
    services = {"smtp": local.enter_context(fake_smtp())}
    database = local.enter_context(scratch_database())
    if database is not None:
        services["postgres"] = database
    with local:
        return measure(services)


def measure(services: dict) -> int:
    from apps.flows.engine.context import LocalHost
    from apps.flows.engine.errors import EngineError
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph
    from apps.flows.engine.n8n import import_n8n, workflows_in
    from apps.flows.engine.validation import validate_graph
    from apps.flows.nodes.registry import load_builtin_nodes

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
                create_tables(services.get("postgres"), result.graph)
                host = bench_host(services)
                SHEET_HEADER[:] = sheet_columns(workflow)
                executor = Executor(Graph.from_dict(result.graph), host=host, sleep=lambda seconds: None)
                try:
                    outcome = executor.run(trigger_items=trigger_items(workflow, triggers[0], host), start_node=triggers[0]["id"])
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
            host = LocalHost()
            executor = Executor(graph, host=host, sleep=lambda seconds: None)
            try:
                outcome = executor.run(trigger_items=trigger_items(workflow, triggers[0], host), start_node=triggers[0]["id"])
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
        "that need accounts ran with made-up ones (HTTP/AI faked, a scratch PostgreSQL database, a local SMTP server)"
    )
    print("  their failures           " + ", ".join(f"{code} {n}" for code, n in credential_failures.most_common(8)))
    print(f"import time                {import_seconds * 1000 / workflows:.1f} ms per workflow; whole bench {total:.1f} s")
    print("validation problems        " + ", ".join(f"{code} {n}" for code, n in problems.most_common(8)))
    print("run failures               " + ", ".join(f"{code} {n}" for code, n in run_failures.most_common(8)))
    print("most frequent unmapped      " + ", ".join(f"{name.split('.')[-1]} {n}" for name, n in unmapped.most_common(TOP)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
