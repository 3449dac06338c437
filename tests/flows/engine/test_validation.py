from apps.flows.engine.validation import validate_graph
from tests.flows.engine.helpers import cond, edge, node

START = node("start", "trigger.manual", "Start")


def codes(graph):
    return {(p.code, p.node_id, p.path) for p in validate_graph(graph)}


def test_a_good_graph_has_no_problems():
    graph = {
        "nodes": [START, node("if", "flow.if", conditions=[cond("{{ json.a }}", "gt", 1)]), node("x", "flow.noop")],
        "edges": [edge("start", "if"), edge("if", "x", "true")],
    }
    assert validate_graph(graph) == []


def test_every_problem_is_reported_at_once():
    graph = {
        "nodes": [
            node("a", "data.set", "A", fields=[{"name": "x", "value": "{{ json.a + }}"}]),
            node("b", "nope.unknown", "B"),
            node("c", "data.limit", "C", max_items="ten"),
            node("d", "data.sort", "D"),
            node("e", "flow.noop", "E", settings={"on_error": "explode", "retry_attempts": 99}),
        ],
        "edges": [edge("a", "ghost"), edge("a", "c", "nope"), edge("c", "d"), edge("d", "c")],
    }
    found = codes(graph)
    assert ("expression_syntax", "a", "parameters.fields[0].value") in found
    assert ("unknown_type", "b", "type") in found
    assert ("not_an_integer", "c", "parameters.max_items") in found
    assert ("required", "d", "parameters.field") in found
    assert ("setting_choice", "e", "settings.on_error") in found
    assert ("setting_out_of_range", "e", "settings.retry_attempts") in found
    assert ("edge_missing_node", "a", "edges[0]") in found
    assert ("edge_missing_port", "a", "edges[1]") in found
    assert ("no_trigger", None, "") in found
    assert ("cycle", None, "") in found


def test_a_cycle_through_a_loop_node_is_fine():
    graph = {
        "nodes": [START, node("loop", "flow.loop"), node("body", "flow.noop")],
        "edges": [edge("start", "loop"), edge("loop", "body", "loop"), edge("body", "loop")],
    }
    assert validate_graph(graph) == []


def test_duplicate_ids_and_names_and_bad_shapes():
    assert {p.code for p in validate_graph([])} == {"graph_not_object"}
    assert {p.code for p in validate_graph({"nodes": {}})} == {"graph_shape"}
    graph = {"nodes": [START, dict(START), node("x", "flow.noop", "Start"), {"type": "flow.noop"}], "edges": []}
    assert {p.code for p in validate_graph(graph)} >= {"duplicate_node_id", "duplicate_node_name", "node_without_id"}


def test_switch_ports_follow_its_rules_and_fixed_params_refuse_expressions():
    rules = [{"conditions": [cond("{{ json.k }}", "equals", "a")]}]
    graph = {
        "nodes": [START, node("sw", "flow.switch", rules=rules), node("a", "flow.noop"), node("b", "flow.noop")],
        "edges": [edge("start", "sw"), edge("sw", "a", "0"), edge("sw", "b", "1")],
    }
    assert {(p.code, p.path) for p in validate_graph(graph)} == {("edge_missing_port", "edges[2]")}
    graph = {"nodes": [START, node("s", "data.sort", field="{{ json.x }}")], "edges": [edge("start", "s")]}
    assert {p.code for p in validate_graph(graph)} == {"expressions_not_allowed"}


def test_a_switched_off_step_may_lack_required_values_but_not_have_wrong_ones():
    """A step shipped switched off (e.g. a template's optional Google Calendar step) publishes without its account;
    switched on, it asks for it again."""
    off = node("d", "data.sort", "D", settings={"disabled": True})
    graph = {"nodes": [START, off], "edges": [edge("start", "d")]}
    assert validate_graph(graph) == []
    wrong = node("c", "data.limit", "C", max_items="ten", settings={"disabled": True})
    assert ("not_an_integer", "c", "parameters.max_items") in codes({"nodes": [START, wrong], "edges": [edge("start", "c")]})
    on = node("d", "data.sort", "D", settings={"disabled": False})
    assert ("required", "d", "parameters.field") in codes({"nodes": [START, on], "edges": [edge("start", "d")]})
