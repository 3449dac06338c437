"""n8n nodes mapped in session 7: Postgres, Extract from File, Date & Time, Markdown, service operations and triggers."""

import datetime as dt

from apps.connectors.sql import named_to_driver
from apps.flows.engine.n8n import import_n8n
from apps.flows.engine.validation import validate_graph
from tests.flows.n8n.test_mapping import by_name, link, n, run, workflow


def only_credentials_missing(result):
    return [p for p in validate_graph(result.graph) if not (p.code == "required" and p.path == "parameters.credential")]


def test_postgres_queries_keep_values_out_of_the_sql():
    data = workflow(
        n("Start", "manualTrigger"),
        n(
            "Positional",
            "postgres",
            {
                "operation": "executeQuery",
                "query": "UPDATE runs SET status = $1 WHERE id = $2 RETURNING id;",
                "options": {"queryReplacement": "={{ [$json.status, $('Start').first().json.id] }}"},
            },
            2.5,
        ),
        n(
            "Listed",
            "postgres",
            {
                "operation": "executeQuery",
                "query": "SELECT * FROM t WHERE a = $1 AND b = $2",
                "options": {"queryReplacement": "x, ={{ $json.b }}"},
            },
            2.6,
        ),
        n(
            "Inline",
            "postgres",
            {"operation": "executeQuery", "query": "=SELECT * FROM users WHERE email = '{{ $json.email }}' AND age > {{ $json.age }}"},
            2.4,
        ),
        n(
            "Upsert",
            "postgres",
            {
                "operation": "upsert",
                "schema": {"__rl": True, "value": "public", "mode": "list"},
                "table": {"__rl": True, "value": "docs", "mode": "list"},
                "columns": {
                    "mappingMode": "defineBelow",
                    "value": {"id": "={{ $json.id }}", "title": "={{ $json.title }}"},
                    "matchingColumns": ["id"],
                },
            },
            2.5,
        ),
        n(
            "Insert",
            "postgres",
            {"table": {"__rl": True, "value": "rows", "mode": "list"}, "columns": {"mappingMode": "autoMapInputData", "value": {}}},
            2.5,
        ),
        connections=link(
            ("Start", "Positional"), ("Positional", "Listed"), ("Listed", "Inline"), ("Inline", "Upsert"), ("Upsert", "Insert")
        ),
    )
    result = import_n8n(data)
    nodes = by_name(result)
    positional = nodes["Positional"]["parameters"]
    assert nodes["Positional"]["type"] == "postgres.query"
    assert positional["query"] == "UPDATE runs SET status = :p1 WHERE id = :p2 RETURNING id;"
    assert positional["parameters"] == {
        "p1": "={{ ([$json.status, $('Start').first().json.id])[0] }}",
        "p2": "={{ ([$json.status, $('Start').first().json.id])[1] }}",
    }
    assert positional["read_only"] is False
    assert nodes["Listed"]["parameters"]["parameters"] == {"p1": "x", "p2": "={{ $json.b }}"} and nodes["Listed"]["parameters"]["read_only"]
    inline = nodes["Inline"]["parameters"]
    assert inline["query"] == "SELECT * FROM users WHERE email = :e1 AND age > :e2"
    assert inline["parameters"] == {"e1": "={{ $json.email }}", "e2": "={{ $json.age }}"}
    assert named_to_driver(inline["query"], dollar_quotes=True) == (
        "SELECT * FROM users WHERE email = %(e1)s AND age > %(e2)s",
        ["e1", "e2"],
    )
    upsert = nodes["Upsert"]["parameters"]["query"]
    assert (
        upsert
        == 'INSERT INTO "docs" ("id", "title") VALUES (:c1, :c2) ON CONFLICT ("id") DO UPDATE SET "title" = EXCLUDED."title" RETURNING *'
    )
    assert nodes["Insert"]["type"] == "postgres.insert_rows" and nodes["Insert"]["parameters"]["table"] == "rows"
    assert not result.unsupported
    assert not only_credentials_missing(result)


def test_files_services_and_triggers_map_to_their_steps():
    data = workflow(
        n("Mail", "gmailTrigger", {"filters": {"q": "has:attachment", "sender": "a@example.com"}, "pollTimes": {"item": [{"mode": "everyMinute"}]}}, 1.1),  # noqa: E501
        n("Download", "googleDrive", {"operation": "download", "fileId": {"__rl": True, "value": "={{ $json.id }}", "mode": "id"}}, 3),
        n("Pdf", "extractFromFile", {"operation": "pdf", "options": {"maxPages": 3}}),
        n("Text", "extractFromFile", {"operation": "text", "options": {"destinationKey": "body"}}),
        n("Csv", "extractFromFile", {"options": {"delimiter": ";"}}),
        n("Sheet", "extractFromFile", {"operation": "xlsx", "options": {"headerRow": False}}),
        n("Ics", "extractFromFile", {"operation": "fromIcs"}),
        n("Label", "gmail", {"operation": "addLabels", "messageId": "={{ $json.id }}", "labelIds": ["Label_1"]}, 2.1),
        n(
            "Update",
            "airtable",
            {"operation": "update", "base": {"__rl": True, "value": "app1"}, "table": {"__rl": True, "value": "tbl1"},
             "columns": {"mappingMode": "defineBelow", "value": {"id": "={{ $json.id }}", "Done": True}, "matchingColumns": ["id"]}},
            2.1,
        ),
        n("Page", "notion", {"resource": "databasePage", "databaseId": {"__rl": True, "value": "db1"},
                             "propertiesUi": {"propertyValues": [{"key": "Name|title", "title": "={{ $json.t }}"}, {"key": "Done|checkbox", "checkboxValue": True}]}}, 2.2),  # noqa: E501
        n("Find", "notion", {"resource": "databasePage", "operation": "getAll", "databaseId": {"__rl": True, "value": "db1"},
                             "filters": {"conditions": [{"key": "URL|url", "condition": "equals", "urlValue": "={{ $json.u }}"}]}}, 2.2),
        n("Bot", "telegramTrigger", {"updates": ["message"]}, 1.1),
        n("Feed", "rssFeedReadTrigger", {"feedUrl": "https://example.com/rss", "pollTimes": {"item": [{"mode": "everyX", "value": 2, "unit": "hours"}]}}),  # noqa: E501
        n("Inbox", "emailReadImap", {"options": {}}, 2),
        connections=link(("Mail", "Download"), ("Download", "Pdf"), ("Pdf", "Text"), ("Text", "Csv"), ("Csv", "Sheet"), ("Sheet", "Ics"),
                         ("Ics", "Label"), ("Label", "Update"), ("Update", "Page"), ("Page", "Find")),
    )  # fmt: skip
    result = import_n8n(data)
    nodes = by_name(result)
    types = {name: node["type"] for name, node in nodes.items()}
    assert types == {
        "Mail": "gmail.new_email", "Download": "google_drive.download_file", "Pdf": "documents.pdf_text",
        "Text": "documents.text_read", "Csv": "documents.csv_read", "Sheet": "documents.excel_read", "Ics": "flow.placeholder",
        "Label": "gmail.modify_labels", "Update": "airtable.update_record", "Page": "notion.create_page",
        "Find": "notion.query_database", "Bot": "telegram.message_received", "Feed": "rss.new_item", "Inbox": "imap.new_email",
    }  # fmt: skip
    # n8n's binary property "data" is the item field the download writes and the readers read
    assert nodes["Download"]["parameters"]["output_field"] == "data" and nodes["Pdf"]["parameters"]["file_field"] == "data"
    assert nodes["Pdf"]["parameters"]["pages"] == "1-3" and nodes["Text"]["parameters"]["output_field"] == "body"
    assert nodes["Csv"]["parameters"]["delimiter"] == ";" and nodes["Sheet"]["parameters"]["header_row"] == 0
    assert nodes["Mail"]["parameters"] == {"query": "has:attachment from:a@example.com", "interval_minutes": 1}
    assert nodes["Feed"]["parameters"]["interval_minutes"] == 120
    assert nodes["Label"]["parameters"]["add"] == ["Label_1"]
    assert nodes["Update"]["parameters"]["record_id"] == "={{ $json.id }}" and nodes["Update"]["parameters"]["fields"] == {"Done": True}
    assert nodes["Page"]["parameters"]["title"] == "={{ $json.t }}" and nodes["Page"]["parameters"]["fields"] == {"Done": "yes"}
    assert nodes["Find"]["parameters"]["filter"] == {"property": "URL", "url": {"equals": "={{ $json.u }}"}}
    assert [u["name"] for u in result.unsupported] == ["Ics"]


def test_date_and_time_node_versions_run():
    data = workflow(
        n("Start", "manualTrigger"),
        n("Now", "dateTime", {"outputFieldName": "started", "options": {}}, 2),
        n(
            "Add",
            "dateTime",
            {"operation": "addToDate", "magnitude": "={{ $json.when }}", "timeUnit": "months", "duration": 1, "outputFieldName": "next"},
            2,
        ),
        n(
            "Format",
            "dateTime",
            {"operation": "formatDate", "date": "={{ $json.when }}", "format": "custom", "customFormat": "dd.MM.yyyy 'at' HH:mm"},
            2,
        ),
        n(
            "Between",
            "dateTime",
            {"operation": "getTimeBetweenDates", "startDate": "={{ $json.when }}", "endDate": "={{ $json.next }}", "units": ["day"]},
            2,
        ),
        n("V1", "dateTime", {"action": "format", "value": "={{ $json.when }}", "toFormat": "YYYY/MM/DD", "dataPropertyName": "old"}, 1),
        n("Round", "dateTime", {"operation": "roundDate"}, 2),
        connections=link(("Start", "Now"), ("Now", "Add"), ("Add", "Format"), ("Format", "Between"), ("Between", "V1"), ("V1", "Round")),
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert nodes["Round"]["type"] == "flow.placeholder" and nodes["Format"]["parameters"]["format"] == "%d.%m.%Y at %H:%M"
    result.graph["nodes"] = [node for node in result.graph["nodes"] if node["name"] != "Round"]
    result.graph["edges"] = [edge for edge in result.graph["edges"] if edge["target"] != nodes["Round"]["id"]]
    outcome = run(result, items=[{"when": "2026-01-31T09:30:00+09:00"}])
    assert outcome.status == "success", outcome.error
    item = outcome.outputs[nodes["V1"]["id"]]["main"][0]
    assert dt.datetime.fromisoformat(item["started"]).year >= 2026
    assert item["next"].startswith("2026-02-28T09:30:00")  # a calendar month, not 30 days
    assert item["formattedDate"] == "31.01.2026 at 09:30"
    assert item["timeDifference"] == 28
    assert item["old"] == "2026/01/31"


def test_markdown_node_both_ways_runs():
    data = workflow(
        n("Start", "manualTrigger"),
        n("ToMd", "markdown", {"html": "={{ $json.page }}", "destinationKey": "md", "options": {"ignore": "img"}}),
        n("ToHtml", "markdown", {"mode": "markdownToHtml", "markdown": "={{ $json.md }}", "options": {"tables": True}}),
        connections=link(("Start", "ToMd"), ("ToMd", "ToHtml")),
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert nodes["ToMd"]["type"] == nodes["ToHtml"]["type"] == "transform.markdown"
    page = (
        "<h1>Report</h1><p>Sales <b>rose</b> see <a href='https://example.com'>here</a><img src='x.png'></p>"
        "<ul><li>one</li><li>two</li></ul><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    outcome = run(result, items=[{"page": page}])
    assert outcome.status == "success", outcome.error
    item = outcome.outputs[nodes["ToHtml"]["id"]]["main"][0]
    assert item["md"] == "# Report\n\nSales **rose** see [here](https://example.com)\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert "<h1>Report</h1>" in item["data"] and "<strong>rose</strong>" in item["data"] and "<td>1</td>" in item["data"]


def test_html_extract_reads_jquerys_first_as_the_first_match():
    values = [
        {"key": "price", "cssSelector": "span.price:first"},
        {"key": "all", "cssSelector": "li:first", "returnArray": True},
    ]
    data = workflow(
        n("Start", "manualTrigger"),
        n("Extract", "html", {"operation": "extractHtmlContent", "extractionValues": {"values": values}}, 1.2),
        connections=link(("Start", "Extract")),
    )
    result = import_n8n(data)
    extract = by_name(result)["Extract"]["parameters"]["extract"]
    assert extract[0]["selector"] == "span.price" and extract[1]["selector"] == "li:first"
    assert any("jQuery" in w["message"] for w in result.warnings)  # a list of first matches has no CSS form: flagged
    extract.pop()
    outcome = run(result, items=[{"data": "<span class='price'>3</span><span class='price'>4</span>"}])
    assert outcome.status == "success", outcome.error
    assert outcome.outputs[by_name(result)["Extract"]["id"]]["main"][0]["price"] == "3"


def test_code_using_n8n_features_ezflow_lacks_is_flagged_at_import():
    code = "const file = $binary.data;\\nreturn $input.all();"
    data = workflow(n("Start", "manualTrigger"), n("Code", "code", {"jsCode": code}, 2), connections=link(("Start", "Code")))
    result = import_n8n(data)
    assert by_name(result)["Code"]["type"] == "code.javascript"
    flagged = [w for w in result.warnings if w["code"] == "code_review"]
    assert len(flagged) == 1 and "$binary" in flagged[0]["message"]
    clean = import_n8n(workflow(n("Start", "manualTrigger"), n("Code", "code", {"jsCode": "return $input.all();"}, 2)))
    assert not [w for w in clean.warnings if w["code"] == "code_review"]
    # state kept between runs exists in EZFlow (apps/flows/engine/flow_state.py): not flagged
    state = "const state = $getWorkflowStaticData('global');\\nstate.seen = state.seen || [];\\nreturn $input.all();"
    kept = import_n8n(workflow(n("Start", "manualTrigger"), n("Code", "code", {"jsCode": state}, 2)))
    assert not [w for w in kept.warnings if w["code"] == "code_review"]


def test_summarize_node_totals_by_group_and_joins_text():
    data = workflow(
        n("Start", "manualTrigger"),
        n(
            "Totals",
            "summarize",
            {
                "fieldsToSummarize": {"values": [{"aggregation": "sum", "field": "amount"}, {"aggregation": "count", "field": "id"}]},
                "fieldsToSplitBy": "team",
            },
        ),
        n("Joined", "summarize", {"fieldsToSummarize": {"values": [{"aggregation": "concatenate", "field": "team", "separateBy": "\n"}]}}),
        connections=link(("Start", "Totals"), ("Totals", "Joined")),
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert nodes["Totals"]["type"] == nodes["Joined"]["type"] == "data.summarize"
    items = [{"id": 1, "team": "a", "amount": 10}, {"id": 2, "team": "b", "amount": 5}, {"id": 3, "team": "a", "amount": "2.5"}]
    outcome = run(result, items=items)
    assert outcome.status == "success", outcome.error
    assert outcome.outputs[nodes["Totals"]["id"]]["main"] == [
        {"team": "a", "sum_amount": 12.5, "count_id": 2},
        {"team": "b", "sum_amount": 5, "count_id": 1},
    ]
    assert outcome.outputs[nodes["Joined"]["id"]]["main"] == [{"concatenated_team": "a\nb"}]
    bad = run(result, items=[{"id": 1, "team": "a", "amount": "many"}])
    assert bad.status == "failed" and bad.error_code == "not_a_number" and "amount" in bad.error


def test_http_request_gives_the_answer_itself_as_n8n_does_unless_full_response_is_on():
    from apps.flows.engine.context import LocalHost
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph
    from tests.support.fake_http import FakeServer

    with FakeServer() as server:
        server.routes["/chat"] = lambda request: (200, {}, {"choices": [{"message": {"content": "hi"}}]})
        server.routes["/list"] = lambda request: (200, {}, [{"id": 1}, {"id": 2}, 3])
        read = {"assignments": {"assignments": [{"name": "said", "type": "string", "value": "={{ $json.choices[0].message.content }}"}]}}
        full = {"url": server.url("/chat"), "options": {"response": {"response": {"fullResponse": True}}}}
        data = workflow(
            n("Start", "manualTrigger"),
            n("Chat", "httpRequest", {"url": server.url("/chat"), "options": {}}, 4.2),
            n("Read", "set", read, 3.4),
            n("List", "httpRequest", {"url": server.url("/list")}, 4.2),
            n("Full", "httpRequest", full, 4.2),
            connections=link(("Start", "Chat"), ("Chat", "Read"), ("Start", "List"), ("Start", "Full")),
        )
        result = import_n8n(data)
        ids = {name: node["id"] for name, node in by_name(result).items()}
        host = LocalHost(http_allow_hosts=("127.0.0.1",))
        outcome = Executor(Graph.from_dict(result.graph), host=host).run(trigger_items=[{}], start_node=ids["Start"])
    assert outcome.status == "success", outcome.error
    assert outcome.outputs[ids["Read"]]["main"][0]["said"] == "hi"
    assert outcome.outputs[ids["List"]]["main"] == [{"id": 1}, {"id": 2}, {"data": 3}]
    full_item = outcome.outputs[ids["Full"]]["main"][0]
    assert full_item["status"] == 200 and full_item["body"] == {"choices": [{"message": {"content": "hi"}}]}
