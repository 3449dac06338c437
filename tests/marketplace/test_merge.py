from apps.marketplace.merge import merge_graphs
from tests.flows.graphs import edge, node


def graph(*nodes, edges=()):
    return {"format": "ezflow/1", "nodes": list(nodes), "edges": list(edges)}


def test_upstream_changes_apply_local_changes_stay_and_collisions_are_conflicts():
    base = graph(
        node("a", "trigger.manual", "Start"),
        node("b", "data.set", "Set", fields=[{"name": "x", "value": 1}]),
        node("c", "net.slack", "Slack", credential="", text="hi"),
        node("gone", "flow.noop", "Old"),
        edges=[edge("a", "b"), edge("b", "c"), edge("b", "gone")],
    )
    local = graph(
        node("a", "trigger.manual", "Start"),
        node("b", "data.set", "Set", fields=[{"name": "x", "value": 1}]),
        node("c", "net.slack", "Slack", credential="17", text="hello team"),
        node("gone", "flow.noop", "Old"),
        node("mine", "flow.noop", "Mine"),
        edges=[edge("a", "b"), edge("b", "c"), edge("b", "gone"), edge("c", "mine")],
    )
    local["pinned"] = {"a": [{"x": 1}]}
    upstream = graph(
        node("a", "trigger.manual", "Start"),
        node("b", "data.set", "Set", fields=[{"name": "x", "value": 2}]),
        node("c", "net.slack", "Slack", credential="", text="hi there"),
        node("new", "flow.noop", "New"),
        edges=[edge("a", "b"), edge("b", "c"), edge("c", "new")],
    )
    result = merge_graphs(base, local, upstream)
    nodes = {n["id"]: n for n in result.graph["nodes"]}
    assert set(nodes) == {"a", "b", "c", "mine", "new"}
    assert nodes["b"]["parameters"]["fields"][0]["value"] == 2  # upstream change applied
    assert nodes["c"]["parameters"]["credential"] == "17"  # the organization's credential stays
    assert nodes["c"]["parameters"]["text"] == "hello team"  # both changed: local wins...
    assert result.conflicts == [
        {"node_id": "c", "node_name": "Slack", "path": "parameters.text", "local": "hello team", "upstream": "hi there"}
    ]  # ...and it is listed
    edges = {(e["source"], e["target"]) for e in result.graph["edges"]}
    assert edges == {("a", "b"), ("b", "c"), ("c", "mine"), ("c", "new")}
    assert result.graph["pinned"] == {"a": [{"x": 1}]}


def test_a_node_removed_upstream_but_edited_locally_is_kept_as_a_conflict():
    base = graph(node("a", "trigger.manual", "Start"), node("b", "flow.noop", "B"))
    local = graph(node("a", "trigger.manual", "Start"), node("b", "flow.noop", "B renamed"))
    upstream = graph(node("a", "trigger.manual", "Start"))
    result = merge_graphs(base, local, upstream)
    assert [n["id"] for n in result.graph["nodes"]] == ["a", "b"]
    assert result.conflicts[0]["node_id"] == "b" and result.conflicts[0]["upstream"] == "removed"
