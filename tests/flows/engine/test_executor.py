from apps.flows.engine.context import LocalHost
from apps.flows.engine.validation import validate_graph
from tests.flows.engine.helpers import cond, edge, node, run

START = node("start", "trigger.manual", "Start")


def test_linear_set_fields_with_expressions_and_earlier_nodes():
    nodes = [
        START,
        node("a", "data.set", "Greeting", fields=[{"name": "greeting", "value": "Hello {{ json.name }}"}]),
        node(
            "b",
            "data.set",
            "Copy",
            fields=[{"name": "original", "value": "{{ nodes['Start'].json.name }}"}, {"name": "n", "value": "{{ json.count * 2 }}"}],
        ),
    ]
    result, reporter = run(nodes, [edge("start", "a"), edge("a", "b")], [{"name": "Kim", "count": 2}, {"name": "Lee", "count": 5}])
    assert result.status == "success"
    assert result.last_items == [
        {"name": "Kim", "count": 2, "greeting": "Hello Kim", "original": "Kim", "n": 4},
        {"name": "Lee", "count": 5, "greeting": "Hello Lee", "original": "Kim", "n": 10},
    ]
    assert [status for status, _ in reporter.events] == ["started", "success"] * 3


def test_if_sends_items_down_two_branches_and_skips_empty_ones():
    nodes = [
        START,
        node("if", "flow.if", "Big?", conditions=[cond("{{ json.amount }}", "gt", 100)]),
        node("big", "data.set", "Big", fields=[{"name": "size", "value": "big"}]),
        node("small", "data.set", "Small", fields=[{"name": "size", "value": "small"}]),
    ]
    edges = [edge("start", "if"), edge("if", "big", "true"), edge("if", "small", "false")]
    result, reporter = run(nodes, edges, [{"amount": 500}, {"amount": 5}, {"amount": 150}])
    assert [i["size"] for i in result.outputs["big"]["main"]] == ["big", "big"]
    assert result.outputs["small"]["main"] == [{"amount": 5, "size": "small"}]
    only_big, _ = run(nodes, edges, [{"amount": 500}])
    assert "small" not in only_big.outputs


def test_switch_routes_by_rule_with_fallback():
    rules = [{"conditions": [cond("{{ json.kind }}", "equals", "a")]}, {"conditions": [cond("{{ json.kind }}", "equals", "b")]}]
    nodes = [START, node("sw", "flow.switch", rules=rules)]
    result, _ = run(nodes, [edge("start", "sw")], [{"kind": "a"}, {"kind": "b"}, {"kind": "c"}, {"kind": "a"}])
    out = result.outputs["sw"]
    assert [len(out["0"]), len(out["1"]), len(out["fallback"])] == [2, 1, 1]


def test_merge_waits_for_both_branches_and_joins_by_key():
    nodes = [
        START,
        node("orders", "data.set", fields=[{"name": "total", "value": "{{ json.id * 10 }}"}], keep_other_fields=True),
        node("people", "data.set", fields=[{"name": "who", "value": "person {{ json.id }}"}]),
        node("m", "flow.merge", mode="join", key_a="id", key_b="id"),
    ]
    edges = [edge("start", "orders"), edge("start", "people"), edge("orders", "m", target_port="a"), edge("people", "m", target_port="b")]
    result, _ = run(nodes, edges, [{"id": 1}, {"id": 2}])
    assert result.outputs["m"]["main"] == [{"id": 1, "total": 10, "who": "person 1"}, {"id": 2, "total": 20, "who": "person 2"}]


def test_loop_runs_the_body_per_batch_and_done_gets_what_came_back():
    nodes = [
        START,
        node("loop", "flow.loop", batch_size=2),
        node("body", "data.set", "Body", fields=[{"name": "seen", "value": "{{ json.n + 100 }}"}]),
        node("after", "flow.noop", "After"),
    ]
    edges = [edge("start", "loop"), edge("loop", "body", "loop"), edge("body", "loop"), edge("loop", "after", "done")]
    result, reporter = run(nodes, edges, [{"n": i} for i in range(5)])
    assert result.status == "success"
    assert [i["seen"] for i in result.outputs["after"]["main"]] == [100, 101, 102, 103, 104]
    body_runs = [r for r in reporter.results if r.node_id == "body"]
    assert [r.run_index for r in body_runs] == [0, 1, 2]
    assert [r.items_in for r in body_runs] == [2, 2, 1]


def test_failure_stops_the_run_with_node_and_message():
    nodes = [
        START,
        node("bad", "data.set", "Bad", fields=[{"name": "x", "value": "{{ json.missing.deeper }}"}]),
        node("after", "flow.noop"),
    ]
    result, reporter = run(nodes, [edge("start", "bad"), edge("bad", "after")], [{"a": 1}])
    assert result.status == "failed"
    assert result.failed_node == "bad"
    assert result.error
    assert "after" not in result.outputs
    assert reporter.results[-1].status == "failed"


def test_continue_on_failure_and_error_output():
    failing = {"fields": [{"name": "x", "value": "{{ 1 / json.zero }}"}]}
    cont = [START, node("bad", "data.set", settings={"on_error": "continue"}, **failing), node("after", "flow.noop")]
    result, _ = run(cont, [edge("start", "bad"), edge("bad", "after")], [{"zero": 0}])
    assert result.status == "success"
    assert result.outputs["after"]["main"][0]["error"]["message"]
    routed = [START, node("bad", "data.set", settings={"on_error": "error_output"}, **failing), node("handler", "flow.noop")]
    result, _ = run(routed, [edge("start", "bad"), edge("bad", "handler", "error")], [{"zero": 0}])
    assert result.status == "success" and len(result.outputs["handler"]["main"]) == 1


def test_retries_then_succeeds_counting_attempts(monkeypatch):
    from apps.flows.nodes.builtin import data

    calls = {"n": 0}
    original = data.SetFields.execute

    def flaky(self, ctx):
        calls["n"] += 1
        if calls["n"] < 3:
            raise RuntimeError("temporary failure")
        return original(self, ctx)

    monkeypatch.setattr(data.SetFields, "execute", flaky)
    nodes = [START, node("s", "data.set", settings={"retry_attempts": 3, "retry_backoff_seconds": 0}, fields=[])]
    result, reporter = run(nodes, [edge("start", "s")])
    assert result.status == "success"
    assert reporter.results[-1].attempts == 3


def test_retries_wait_longer_each_time_up_to_the_cap(monkeypatch):
    from apps.flows.engine.executor import MAX_BACKOFF_SECONDS, Executor
    from apps.flows.engine.graph import Graph
    from apps.flows.nodes.builtin import data

    monkeypatch.setattr(data.SetFields, "execute", lambda self, ctx: (_ for _ in ()).throw(RuntimeError("down")))
    waits = []
    nodes = [START, node("s", "data.set", settings={"retry_attempts": 5, "retry_backoff_seconds": 4}, fields=[])]
    graph = Graph.from_dict({"nodes": nodes, "edges": [edge("start", "s")]})
    result = Executor(graph, sleep=waits.append).run(trigger_items=[{}])
    assert result.status == "failed"
    assert waits == [4, 8, 16, MAX_BACKOFF_SECONDS] and MAX_BACKOFF_SECONDS == 30
    problems = validate_graph({"nodes": [{**nodes[1], "settings": {"retry_backoff_seconds": 31}}, START], "edges": []})
    assert any(p.path == "settings.retry_backoff_seconds" for p in problems)  # the editor says so instead of capping quietly


def test_disabled_node_passes_items_through_and_execute_once():
    nodes = [
        START,
        node("off", "data.set", settings={"disabled": True}, fields=[{"name": "x", "value": 1}]),
        node("once", "data.set", settings={"execute_once": True}, fields=[{"name": "y", "value": 2}]),
    ]
    result, _ = run(nodes, [edge("start", "off"), edge("off", "once")], [{"a": 1}, {"a": 2}])
    assert result.outputs["off"]["main"] == [{"a": 1}, {"a": 2}]
    assert result.outputs["once"]["main"] == [{"a": 1, "y": 2}]


def test_completed_nodes_are_replayed_not_executed(monkeypatch):
    from apps.flows.nodes.builtin import data

    def must_not_run(self, ctx):
        raise AssertionError("completed node executed again")

    nodes = [START, node("a", "data.set", fields=[{"name": "x", "value": 1}]), node("b", "flow.noop")]
    monkeypatch.setattr(data.SetFields, "execute", must_not_run)
    completed = {"start#0": {"main": [{}]}, "a#0": {"main": [{"x": "stored"}]}}
    result, reporter = run(nodes, [edge("start", "a"), edge("a", "b")], completed=completed)
    assert result.status == "success"
    assert result.outputs["b"]["main"] == [{"x": "stored"}]
    assert [r.node_id for r in reporter.results] == ["b"]


def test_pinned_data_replaces_execution():
    nodes = [START, node("a", "data.set", fields=[{"name": "x", "value": 1}]), node("b", "flow.noop")]
    result, reporter = run(nodes, [edge("start", "a"), edge("a", "b")], pinned={"a": [{"pinned": True}]})
    assert result.outputs["b"]["main"] == [{"pinned": True}]
    assert [r.status for r in reporter.results if r.node_id == "a"] == ["pinned"]


def test_long_wait_suspends_and_resume_continues():
    nodes = [START, node("w", "flow.wait", mode="duration", seconds=3600), node("after", "flow.noop")]
    edges = [edge("start", "w"), edge("w", "after")]
    result, _ = run(nodes, edges, [{"a": 1}])
    assert result.status == "waiting" and result.waiting_node == "w" and result.resume_at is not None
    resumed, _ = run(nodes, edges, [{"a": 1}], completed={"start#0": {"main": [{"a": 1}]}}, resumed={"w"})
    assert resumed.status == "success" and resumed.outputs["after"]["main"] == [{"a": 1}]


def test_stop_with_error_and_respond_to_webhook():
    nodes = [START, node("r", "flow.respond", status=201, body={"ok": "{{ json.id }}"}, headers={"X-Id": "{{ json.id }}"})]
    result, _ = run(nodes, [edge("start", "r")], [{"id": 7}])
    assert result.response == {"status": 201, "body": {"ok": 7}, "headers": {"X-Id": "7"}}
    stop = [START, node("s", "flow.stop_error", message="Invoice {{ json.id }} is missing")]
    result, _ = run(stop, [edge("start", "s")], [{"id": 9}])
    assert result.status == "failed" and result.error == "Invoice 9 is missing" and result.error_code == "stopped_by_flow"


def test_sub_flow_result_comes_back_and_recursion_is_bounded():
    from apps.flows.engine.graph import Graph

    child = Graph.from_dict(
        {"nodes": [START, node("d", "data.set", fields=[{"name": "doubled", "value": "{{ json.n * 2 }}"}])], "edges": [edge("start", "d")]}
    )
    host = LocalHost(flows={"child": child})
    parent = [START, node("call", "flow.call", flow="child")]
    result, _ = run(parent, [edge("start", "call")], [{"n": 4}], host=host)
    assert result.outputs["call"]["main"] == [{"n": 4, "doubled": 8}]
    selfish = Graph.from_dict({"nodes": [START, node("call", "flow.call", flow="self")], "edges": [edge("start", "call")]})
    host = LocalHost(flows={"self": selfish})
    result, _ = run([START, node("call", "flow.call", flow="self")], [edge("start", "call")], host=host)
    assert result.status == "failed" and "levels deep" in result.error


def test_data_nodes():
    items = [{"name": "b", "n": 2, "tags": ["x", "y"]}, {"name": "a", "n": 1, "tags": []}, {"name": "b", "n": 2, "tags": ["x", "y"]}]
    chain = [
        START,
        node("dedupe", "data.dedupe"),
        node("sort", "data.sort", field="n"),
        node("limit", "data.limit", max_items=1),
        node("split", "data.split_out", field="tags"),
        node("rename", "data.rename", renames=[{"from": "tags", "to": "tag"}]),
        node("agg", "data.aggregate", mode="fields", fields=["tag"]),
    ]
    edges = [
        edge("start", "dedupe"),
        edge("dedupe", "sort"),
        edge("sort", "limit"),
        edge("limit", "split"),
        edge("split", "rename"),
        edge("rename", "agg"),
    ]
    result, _ = run(chain, edges, items)
    assert len(result.outputs["dedupe"]["main"]) == 2
    assert [i["name"] for i in result.outputs["sort"]["main"]] == ["a", "b"]
    assert result.outputs["limit"]["main"] == [{"name": "a", "n": 1, "tags": []}]
    assert result.status == "success"
    split, _ = run([START, node("split", "data.split_out", field="tags")], [edge("start", "split")], [items[0]])
    assert split.outputs["split"]["main"] == [{"tags": "x"}, {"tags": "y"}]


def test_transform_nodes():
    nodes = [
        START,
        node("hash", "transform.crypto", operation="sha256", value="{{ json.text }}"),
        node(
            "html",
            "transform.html",
            html="{{ json.page }}",
            extract=[{"name": "title", "selector": "h1"}, {"name": "links", "selector": "a", "attribute": "href", "all": True}],
        ),
        node("xml", "transform.xml", direction="to_json", value="{{ json.xml }}"),
    ]
    edges = [edge("start", "hash"), edge("hash", "html"), edge("html", "xml")]
    item = {"text": "abc", "page": "<h1>뉴스</h1><a href='/1'>1</a><a href='/2'>2</a>", "xml": "<a><b>1</b></a>"}
    result, _ = run(nodes, edges, [item])
    out = result.last_items[0]
    assert out["result"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert out["title"] == "뉴스" and out["links"] == ["/1", "/2"]
    assert out["data"] == {"a": {"b": "1"}}
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    result, _ = run([START, node("xml", "transform.xml", value="{{ json.xml }}")], [edge("start", "xml")], [{"xml": bomb}])
    assert result.status == "failed"
    csv_nodes = [START, node("csv", "transform.csv", direction="parse")]
    result, _ = run(csv_nodes, [edge("start", "csv")], [{"csv": "이름,나이\n김,30\n이,40\n"}])
    assert result.outputs["csv"]["main"] == [{"이름": "김", "나이": "30"}, {"이름": "이", "나이": "40"}]


def test_date_time_remove_fields_and_csv_build():
    import datetime as dt

    from apps.flows.engine.context import LocalHost

    seoul = dt.timezone(dt.timedelta(hours=9))
    host = LocalHost(now=dt.datetime(2026, 11, 25, 9, 30, tzinfo=seoul))
    nodes = [
        START,
        node("fmt", "data.datetime", operation="format", value="{{ json.due }}", format="%Y/%m/%d", output_field="due_text"),
        node("add", "data.datetime", operation="add", value="{{ json.due }}", amount=2, unit="days", output_field="later"),
        node(
            "diff",
            "data.datetime",
            operation="difference",
            value="{{ json.due }}",
            other="{{ json.later }}",
            unit="hours",
            output_field="hours",
        ),
        node("now", "data.datetime", operation="now", output_field="stamp"),
        node("drop", "data.remove", fields=["secret", "nested.pin"]),
        node("csv", "transform.csv", direction="build", field="table"),
    ]
    chain = ["start", "fmt", "add", "diff", "now", "drop", "csv"]
    edges = [edge(a, b) for a, b in zip(chain, chain[1:], strict=False)]
    item = {"due": "2026-12-01T10:00:00", "secret": "x", "nested": {"pin": 1, "keep": 2}}
    result, _ = run(nodes, edges, [item], host=host)
    assert result.status == "success", result.error
    out = result.outputs["drop"]["main"][0]
    assert out["due_text"] == "2026/12/01"
    assert out["later"] == "2026-12-03T10:00:00+09:00"
    assert out["hours"] == 48.0
    assert out["stamp"] == "2026-11-25T09:30:00+09:00"
    assert "secret" not in out and out["nested"] == {"keep": 2}
    table = result.outputs["csv"]["main"][0]["table"]
    assert table.splitlines()[0] == "due,nested,due_text,later,hours,stamp"
    bad, _ = run([START, node("fmt", "data.datetime", operation="format", value="not a date")], [edge("start", "fmt")], [{}])
    assert bad.status == "failed" and bad.error_code == "bad_date"


def test_a_pure_node_over_many_items_stops_at_its_timeout(monkeypatch):
    from apps.flows.engine import context

    clock = {"now": 1000.0}

    def tick():
        clock["now"] += 0.01  # every look at the clock costs 10 ms of "work"
        return clock["now"]

    monkeypatch.setattr(context.time, "monotonic", tick)
    slow = node("slow", "data.set", "Slow", settings={"timeout_seconds": 1}, fields=[{"name": "y", "value": "{{ json.x * 2 }}"}])
    result, reporter = run([START, slow], [edge("start", "slow")], [{"x": i} for i in range(10_000)])
    assert result.status == "failed" and result.failed_node == "slow"
    failed = reporter.results[-1]
    assert failed.error_code == "timeout" and "timeout of 1 seconds" in failed.error

    quick = node("quick", "data.set", "Quick", settings={"timeout_seconds": 60}, fields=[{"name": "y", "value": "{{ json.x * 2 }}"}])
    result, _ = run([START, quick], [edge("start", "quick")], [{"x": i} for i in range(1000)])
    assert result.status == "success" and len(result.outputs["quick"]["main"]) == 1000


def test_filter_keeps_matching_items_and_hands_the_rest_to_its_discarded_output():
    nodes = [START, node("f", "data.filter", conditions=[cond("{{ json.qty }}", "gt", 2)]), node("rest", "flow.noop")]
    result, _ = run(nodes, [edge("start", "f"), edge("f", "rest", "discarded")], [{"qty": 1}, {"qty": 5}, {"qty": 3}])
    assert result.outputs["f"]["main"] == [{"qty": 5}, {"qty": 3}]
    assert result.outputs["rest"]["main"] == [{"qty": 1}]


def test_merge_modes_and_a_branch_that_sends_nothing():
    def merged(mode, items, **params):
        nodes = [
            START,
            node("if", "flow.if", conditions=[cond("{{ json.side }}", "equals", "a")]),
            node("m", "flow.merge", mode=mode, **params),
        ]
        edges = [edge("start", "if"), edge("if", "m", "true", target_port="a"), edge("if", "m", "false", target_port="b")]
        result, _ = run(nodes, edges, items)
        return result.outputs["m"]["main"]

    items = [{"side": "a", "id": 1}, {"side": "b", "id": 1, "x": "B1"}, {"side": "a", "id": 2}]
    assert merged("append", items) == [{"side": "a", "id": 1}, {"side": "a", "id": 2}, {"side": "b", "id": 1, "x": "B1"}]
    assert merged("left_join", items) == [{"side": "b", "id": 1, "x": "B1"}, {"side": "a", "id": 2}]
    assert merged("by_position", items) == [{"side": "b", "id": 1, "x": "B1"}]
    # Input b gets nothing: the merge still runs once both branches are done, with what came.
    assert merged("append", [{"side": "a", "id": 7}]) == [{"side": "a", "id": 7}]


def test_aggregate_collects_whole_items_or_chosen_fields_and_rename_moves_a_field():
    items = [{"name": "Kim", "n": 1}, {"name": "Lee", "n": 2}]
    nodes = [
        START,
        node("all", "data.aggregate", mode="all", output_field="people"),
        node("fields", "data.aggregate", mode="fields", fields=["name"]),
        node("rename", "data.rename", renames=[{"from": "name", "to": "who"}]),
    ]
    edges = [edge("start", "all"), edge("start", "fields"), edge("start", "rename")]
    result, _ = run(nodes, edges, items)
    assert result.outputs["all"]["main"] == [{"people": items}]
    assert result.outputs["fields"]["main"] == [{"name": ["Kim", "Lee"]}]
    assert result.outputs["rename"]["main"] == [{"who": "Kim", "n": 1}, {"who": "Lee", "n": 2}]
