"""n8n node shapes across versions import to the right steps, keep their connections, and the result runs."""

from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.n8n import import_n8n, workflows_in
from apps.flows.engine.validation import validate_graph


def workflow(*nodes, connections=None, name="Test"):
    return {"name": name, "nodes": list(nodes), "connections": connections or {}}


def n(name, kind, parameters=None, version=1, **extra):
    full = kind if "." in kind else f"n8n-nodes-base.{kind}"
    return {"name": name, "type": full, "typeVersion": version, "parameters": parameters or {}, "position": [0, 0], **extra}


def link(*pairs):
    out = {}
    for source, target, *index in pairs:
        output = index[0] if index else 0
        lists = out.setdefault(source, {"main": []})["main"]
        while len(lists) <= output:
            lists.append([])
        lists[output].append({"node": target, "type": "main", "index": 0})
    return out


def by_name(result):
    return {node["name"]: node for node in result.graph["nodes"]}


def run(result, items=None, start=None):
    graph = Graph.from_dict(result.graph)
    start = start or result.graph["nodes"][0]["id"]
    return Executor(graph, sleep=lambda s: None).run(trigger_items=items or [{}], start_node=start)


def test_set_node_versions_and_modes():
    data = workflow(
        n("Start", "manualTrigger"),
        n("V1", "set", {"values": {"string": [{"name": "a", "value": "x"}], "number": [{"name": "n", "value": 2}]}, "keepOnlySet": True}),
        n(
            "V3.2",
            "set",
            {
                "fields": {
                    "values": [{"name": "b", "stringValue": "={{ $json.a }}!"}, {"name": "c", "type": "numberValue", "numberValue": "5"}]
                },
                "include": "all",
            },
            3.2,
        ),
        n(
            "V3.4",
            "set",
            {
                "assignments": {
                    "assignments": [
                        {"name": "d", "value": "7", "type": "number"},
                        {"name": "={{ 'e' + 1 }}", "value": "={{ $json.c * 2 }}", "type": "number"},
                    ]
                },
                "includeOtherFields": True,
            },
            3.4,
        ),
        n(
            "Raw",
            "set",
            {
                "mode": "raw",
                "jsonOutput": '={\n  "total": {{ $json.d + $json.e1 }},\n  "who": "{{ $json.a }}"\n}',
                "includeOtherFields": False,
            },
            3.4,
        ),
        n("Empty", "set", {"options": {}, "includeOtherFields": True}, 3.4),
        connections=link(("Start", "V1"), ("V1", "V3.2"), ("V3.2", "V3.4"), ("V3.4", "Raw"), ("Raw", "Empty")),
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert [nodes[k]["type"] for k in ("V1", "V3.2", "V3.4", "Raw", "Empty")] == [
        "data.set",
        "data.set",
        "data.set",
        "code.javascript",
        "flow.noop",
    ]
    assert nodes["V3.4"]["parameters"]["fields"][0] == {"name": "d", "value": 7}
    assert validate_graph(result.graph) == []
    outcome = run(result)
    assert outcome.status == "success", outcome.error
    assert outcome.outputs["empty"]["main"] == [{"total": 17, "who": "x"}]
    assert outcome.outputs["v3-4"]["main"] == [{"a": "x", "n": 2, "b": "x!", "c": 5, "d": 7, "e1": 10}]


def test_if_switch_and_expressions_route_like_n8n():
    data = workflow(
        n("Hook", "webhook", {"httpMethod": "=POST", "path": "orders", "responseMode": "responseNode"}, 2),
        n(
            "Big?",
            "if",
            {
                "conditions": {
                    "combinator": "and",
                    "conditions": [
                        {"leftValue": "={{ $json.body.total * 2 }}", "rightValue": 100, "operator": {"type": "number", "operation": "gt"}}
                    ],
                }
            },
            2.2,
        ),
        n(
            "Tag",
            "set",
            {
                "assignments": {
                    "assignments": [{"name": "tag", "value": "={{ $('Hook').item.json.body.email.toLowerCase() }}", "type": "string"}]
                }
            },
            3.4,
        ),
        n(
            "Reply",
            "respondToWebhook",
            {"respondWith": "json", "responseBody": "={{ { ok: true, tag: $json.tag, at: $now.toFormat('yyyy') } }}"},
            1.1,
        ),
        n("Small", "noOp"),
        connections=link(("Hook", "Big?"), ("Big?", "Tag", 0), ("Big?", "Small", 1), ("Tag", "Reply")),
    )
    result = import_n8n(data)
    assert by_name(result)["Hook"]["parameters"]["methods"] == ["POST"]
    assert validate_graph(result.graph) == []
    outcome = run(result, [{"body": {"total": 60, "email": "Kim@EXAMPLE.com"}}])
    assert outcome.status == "success", outcome.error
    assert outcome.response["body"]["ok"] is True and outcome.response["body"]["tag"] == "kim@example.com"
    assert len(outcome.response["body"]["at"]) == 4
    small = run(result, [{"body": {"total": 10, "email": "a@b.c"}}])
    assert small.outputs["small"]["main"] == [{"body": {"total": 10, "email": "a@b.c"}}]


def test_code_node_and_function_node_run_as_javascript():
    data = workflow(
        n("Start", "manualTrigger"),
        n("Make", "code", {"jsCode": "return [1, 2, 3].map(n => ({ json: { n } }));"}, 2),
        n("Each", "code", {"mode": "runOnceForEachItem", "jsCode": "$json.square = $json.n * $json.n;\nreturn $input.item;"}, 2),
        n("Old", "function", {"functionCode": "return items.filter(i => i.json.square > 1);"}),
        connections=link(("Start", "Make"), ("Make", "Each"), ("Each", "Old")),
    )
    result = import_n8n(data)
    assert [node["type"] for node in result.graph["nodes"][1:]] == ["code.javascript"] * 3
    outcome = run(result)
    assert outcome.status == "success", outcome.error
    assert outcome.outputs["old"]["main"] == [{"n": 2, "square": 4}, {"n": 3, "square": 9}]


def test_unmapped_nodes_keep_their_connections_as_placeholders_and_notes_keep_their_text():
    data = workflow(
        n("Every day", "scheduleTrigger", {"rule": {"interval": [{"field": "cronExpression", "expression": "0 30 9 * * 1-5"}]}}, 1.2),
        n("DB", "redis", {"operation": "get", "key": "select 1"}, 1),
        n("After", "noOp"),
        n("Note", "stickyNote", {"content": "Uses {{ $json.x }} in text"}),
        n("Mail in", "googleDriveTrigger", {"pollTimes": {}}),
        n("Then", "noOp"),
        connections=link(("Every day", "DB"), ("DB", "After"), ("Mail in", "Then")),
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert nodes["Every day"]["parameters"] == {"preset": "custom", "cron": "30 9 * * 1-5"}
    assert nodes["DB"]["type"] == "flow.placeholder" and nodes["DB"]["parameters"]["original_parameters"]["key"] == "select 1"
    assert nodes["Mail in"]["type"] == "trigger.placeholder"
    assert nodes["Note"]["parameters"]["text"] == "Uses {{ $json.x }} in text"
    edges = {(e["source"], e["target"]) for e in result.graph["edges"]}
    assert edges == {("every-day", "db"), ("db", "after"), ("mail-in", "then")}
    assert validate_graph(result.graph) == []
    statuses = {entry["node"]: entry["status"] for entry in result.report}
    assert statuses["DB"] == "placeholder" and statuses["Mail in"] == "placeholder" and statuses["After"] == "imported"
    outcome = run(result)
    assert outcome.status == "failed" and outcome.error_code == "placeholder"


def test_ai_agent_absorbs_its_chat_model_and_lists_credentials():
    data = workflow(
        n("Chat", "@n8n/n8n-nodes-langchain.chatTrigger", {}, 1.1),
        n("Agent", "@n8n/n8n-nodes-langchain.agent", {"options": {"systemMessage": "Be brief."}}, 1.7),
        n(
            "Model",
            "@n8n/n8n-nodes-langchain.lmChatOpenAi",
            {"model": {"__rl": True, "value": "gpt-4o-mini"}, "options": {"temperature": 0.2}},
            1.2,
            credentials={"openAiApi": {"id": "1", "name": "OpenAI account"}},
        ),
        n("Calc", "@n8n/n8n-nodes-langchain.toolCalculator"),
        n("Memory", "@n8n/n8n-nodes-langchain.memoryBufferWindow"),
        connections={
            **link(("Chat", "Agent")),
            "Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]},
            "Calc": {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]},
            "Memory": {"ai_memory": [[{"node": "Agent", "type": "ai_memory", "index": 0}]]},
        },
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert set(nodes) == {"Chat", "Agent", "Memory"}
    assert nodes["Chat"]["type"] == "trigger.webhook"
    agent = nodes["Agent"]["parameters"]
    assert (agent["provider"], agent["model"], agent["temperature"], agent["system"]) == (
        "openai_compatible",
        "gpt-4o-mini",
        0.2,
        "Be brief.",
    )
    assert agent["tool_calculator"] is True and agent["prompt"] == "={{ $json.chatInput }}"
    statuses = {entry["node"]: entry["status"] for entry in result.report}
    assert statuses == {"Chat": "check", "Agent": "check", "Memory": "placeholder", "Model": "absorbed", "Calc": "absorbed"}
    assert result.credentials == [{"kind": "openAiApi", "name": "OpenAI account", "nodes": ["Model"]}]


def test_connector_nodes_map_by_operation():
    data = workflow(
        n("Start", "manualTrigger"),
        n(
            "Send",
            "telegram",
            {"chatId": "={{ $json.chat }}", "text": "=Hi {{ $json.name }}", "additionalFields": {"parse_mode": "HTML"}},
            1.2,
        ),
        n(
            "Append",
            "googleSheets",
            {
                "operation": "append",
                "documentId": {"__rl": True, "value": "sheet-1", "mode": "id"},
                "sheetName": {"__rl": True, "value": "gid=0", "mode": "list", "cachedResultName": "Orders"},
                "columns": {"mappingMode": "defineBelow", "value": {"Email": "={{ $json.email }}"}},
            },
            4.5,
        ),
        n("Delete", "googleSheets", {"operation": "delete"}, 4.5),
        n("Feed", "rssFeedRead", {"url": "https://example.com/feed.xml"}, 1.1),
        connections=link(("Start", "Send"), ("Send", "Append"), ("Append", "Delete"), ("Delete", "Feed")),
    )
    nodes = by_name(import_n8n(data))
    assert nodes["Send"]["type"] == "telegram.send_message" and nodes["Send"]["parameters"]["parse_mode"] == "HTML"
    assert nodes["Append"]["type"] == "google_sheets.append_rows"
    assert nodes["Append"]["parameters"]["spreadsheet"] == "sheet-1" and nodes["Append"]["parameters"]["sheet"] == "Orders"
    assert nodes["Delete"]["type"] == "flow.placeholder"  # an operation the step does not do
    assert nodes["Feed"]["type"] == "rss.read_feed"


def test_array_wrapped_and_multi_workflow_exports():
    one = workflow(n("Start", "manualTrigger"), name="One")
    two = workflow(
        n("Start", "manualTrigger"), n("Stop", "stopAndError", {"errorMessage": "no"}), connections=link(("Start", "Stop")), name="Two"
    )
    assert [w["name"] for w in workflows_in([one, two])] == ["One", "Two"]
    assert [w["name"] for w in workflows_in({"workflows": [one, two]})] == ["One", "Two"]
    assert workflows_in([{"nodes": "x"}, 3]) == []
    assert by_name(import_n8n(two))["Stop"]["type"] == "flow.stop_error"


def test_multi_workflow_file_through_the_api(data):
    api = data.editor_api(data.create_organization(slug="n8n-multi"))
    one = workflow(n("Start", "manualTrigger"), name="One")
    two = workflow(n("Start", "manualTrigger"), n("X", "redis"), connections=link(("Start", "X")), name="Two")
    response = api.post("/api/v1/flows/import", [one, two], content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [f["flow"]["name"] for f in body["flows"]] == ["One", "Two"] and body["flow"]["name"] == "One"
    assert body["flows"][1]["report"][1]["summary"] == "Not available yet — kept as a placeholder (n8n-nodes-base.redis)."
    refused = api.post("/api/v1/flows/import", [1, 2], content_type="application/json")
    assert refused.status_code == 400


def test_what_cannot_run_is_flagged_and_odd_parameters_never_break_the_import():
    data = workflow(
        n("Start", "manualTrigger"),
        n("Bin", "set", {"assignments": {"assignments": [{"name": "f", "value": "={{ $binary.data.fileName }}", "type": "string"}]}}, 3.4),
        n("Odd", "respondToWebhook", {"options": "not an object"}, 1.1),
        connections=link(("Start", "Bin"), ("Bin", "Odd")),
    )
    result = import_n8n(data)
    codes = {(w["node"], w["code"]) for w in result.warnings}
    assert ("Bin", "expression_review") in codes and ("Odd", "unreadable") in codes
    assert by_name(result)["Odd"]["type"] == "flow.placeholder"
    assert {(e["source"], e["target"]) for e in result.graph["edges"]} == {("start", "bin"), ("bin", "odd")}


def test_import_page_shows_credentials_and_the_other_flows_of_a_file(data):
    from django.db import connection

    from apps.accounts.roles import Role

    org = data.create_organization(slug=data.unique("n8n-page"))
    client = data.client_for(org, data.create_member(org, role=Role.EDITOR).user)
    connection.set_tenant(org)
    first = workflow(
        n("Start", "manualTrigger"),
        n("Tell", "telegram", {"chatId": "1", "text": "hi"}, 1.2, credentials={"telegramApi": {"id": "9", "name": "Team bot"}}),
        connections=link(("Start", "Tell")),
        name="Notify team",
    )
    second = workflow(n("Start", "manualTrigger"), name="Second one")
    import json

    response = client.post("/flows/import/", {"text": json.dumps([first, second])}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    credentials = html.split('data-testid="import-credentials"')[1].split("</ul>")[0]
    assert "Team bot" in credentials and "telegramApi" in credentials
    assert "Second one" in html.split('data-testid="import-more-flows"')[1].split("</ul>")[0]
    steps = html.split('data-testid="import-steps"')[1].split("</ul>")[0]
    assert "<strong>Tell</strong>: Imported as “Send a Telegram message”, please check:" in steps


def test_llm_chain_takes_its_structured_output_parsers_schema_as_answer_fields():
    schema = '{"type": "object", "properties": {"vote": {"type": "string"}, "score": {"type": "integer"}}, "required": ["vote"]}'
    data = workflow(
        n("Start", "manualTrigger"),
        n("Chain", "@n8n/n8n-nodes-langchain.chainLlm", {"text": "=Rate {{ $json.cv }}", "hasOutputParser": True}, 1.5),
        n("Parser", "@n8n/n8n-nodes-langchain.outputParserStructured", {"schemaType": "manual", "inputSchema": schema}, 1.2),
        connections={
            **link(("Start", "Chain")),
            "Parser": {"ai_outputParser": [[{"node": "Chain", "type": "ai_outputParser", "index": 0}]]},
        },
    )
    chain = by_name(import_n8n(data))["Chain"]["parameters"]
    assert chain["output_format"] == "json"
    assert [(f["name"], f["type"], f["required"]) for f in chain["output_fields"]] == [("vote", "text", True), ("score", "integer", False)]
