"""n8n's $getWorkflowStaticData in the engine: one state per flow ('global') and per step ('node'), seen by later steps
of the same run, handed back as changes in the run's result, size-limited (apps/flows/engine/flow_state.py)."""

import pytest

from apps.flows.engine.context import LocalHost
from apps.flows.engine.flow_state import MAX_BYTES, FlowState, merged
from tests.flows.engine.helpers import edge, node, run

COUNTER = """const state = $getWorkflowStaticData('global');
state.count = (state.count || 0) + 1;
const mine = $getWorkflowStaticData('node');
mine.seen = [...(mine.seen || []), ...$input.all().map(i => i.json.id)];
return [{json: {count: state.count, seen: mine.seen}}];"""


def counter_flow():
    nodes = [node("t", "trigger.manual"), node("c", "code.javascript", name="Count", code=COUNTER)]
    return nodes, [edge("t", "c")]


def test_state_is_kept_between_runs_once_saved_and_node_state_is_per_step():
    host = LocalHost()
    nodes, edges = counter_flow()
    first, _ = run(nodes, edges, items=[{"id": 1}], host=host, flow_meta={"id": 5})
    assert first.status == "success", first.error
    assert first.last_items == [{"count": 1, "seen": [1]}]
    assert first.flow_state_changes == {"global": ({}, {"count": 1}), "node:Count": ({}, {"seen": [1]})}
    host.flow_state_save(5, first.flow_state_changes)
    second, _ = run(nodes, edges, items=[{"id": 2}], host=host, flow_meta={"id": 5})
    assert second.last_items == [{"count": 2, "seen": [1, 2]}]
    # nothing saved: a third run starts again from what the first one left
    third, _ = run(nodes, edges, items=[{"id": 3}], host=host, flow_meta={"id": 5})
    assert third.last_items == [{"count": 2, "seen": [1, 3]}]
    # another flow has its own state
    other, _ = run(nodes, edges, items=[{"id": 9}], host=host, flow_meta={"id": 6})
    assert other.last_items == [{"count": 1, "seen": [9]}]


EACH = "const s = $getWorkflowStaticData('global'); s.n = (s.n || 0) + 1; return {n: s.n};"


def test_later_steps_of_the_same_run_see_the_changes_and_each_item_sees_the_previous_ones():
    nodes = [
        node("t", "trigger.manual"),
        node("a", "code.javascript", mode="each", code=EACH),
        node("b", "code.javascript", code="return [{total: $getWorkflowStaticData('global').n}];"),
    ]
    result, _ = run(nodes, [edge("t", "a"), edge("a", "b")], items=[{}, {}, {}], host=LocalHost())
    assert result.status == "success", result.error
    assert result.outputs["a"]["main"] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert result.last_items == [{"total": 3}]


def test_an_n8n_expression_can_read_the_state():
    host = LocalHost()
    host.flow_states[4] = {"global": {"lastId": 41}}
    fields = [{"name": "next", "value": "={{ $getWorkflowStaticData('global').lastId + 1 }}"}]
    nodes = [node("t", "trigger.manual"), node("s", "data.set", settings={"expression_dialect": "n8n"}, fields=fields)]
    result, _ = run(nodes, [edge("t", "s")], host=host, flow_meta={"id": 4})
    assert result.status == "success", result.error
    assert result.last_items[0]["next"] == 42


def test_a_state_larger_than_the_limit_fails_the_step_with_a_clear_message():
    code = f"$getWorkflowStaticData('global').blob = 'x'.repeat({MAX_BYTES + 10}); return [];"
    result, _ = run([node("t", "trigger.manual"), node("c", "code.javascript", code=code)], [edge("t", "c")], host=LocalHost())
    assert result.status == "failed" and result.error_code == "flow_state_too_large"
    assert "larger than 256 KB" in result.error
    assert result.flow_state_changes == {}


def test_a_wrong_kind_is_a_code_error():
    code = "$getWorkflowStaticData('flow'); return [];"
    result, _ = run([node("t", "trigger.manual"), node("c", "code.javascript", code=code)], [edge("t", "c")], host=LocalHost())
    assert result.status == "failed" and 'takes "global" or "node"' in result.error


def test_runs_that_finish_together_keep_each_others_fields():
    state = FlowState(load=lambda: {"global": {"a": 1, "b": 1, "gone": True}})
    state.put("global", {"a": 2, "b": 1})
    # another run saved b and c meanwhile
    stored = {"global": {"a": 1, "b": 5, "c": 7, "gone": True}}
    assert merged(stored, state.changes()) == {"global": {"a": 2, "b": 5, "c": 7}}


@pytest.mark.parametrize("empty", [{}, None])
def test_clearing_a_kind_removes_it(empty):
    state = FlowState(load=lambda: {"global": {"a": 1}})
    state.put("global", empty)
    assert merged({"global": {"a": 1}}, state.changes()) == {}
