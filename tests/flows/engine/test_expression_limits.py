"""Expressions are bounded while they run: time, size of intermediate values, and no internals in text
(issue 12, break 4). The same evaluation serves the editor's preview, its step test and runs."""

import re
import time

import pytest

from apps.flows.engine import expression_limits
from apps.flows.engine.expressions import ExpressionError, evaluate
from tests.flows.engine.helpers import edge, node, run
from tests.flows.engine.test_expressions import scope

ATTACKS = [
    ("{{ range(5000)|list|tojson(99999)|length }}", "JSON indentation is limited to 8 spaces"),
    ("{{ ([('x' * 999999)] * 999999)|tojson|length }}", "over 1,000,000 characters"),
    ("{{ ([('x' * 999999)] * 999999) ~ '' }}", "over 1,000,000 characters"),
    ("{{ ([('x' * 999999)] * 999999)|string|length }}", "over 1,000,000 characters"),
    ("{{ ([('x' * 999999)] * 999999)|upper|length }}", "over 1,000,000 characters"),
    ("{{ range(100000)|join('x' * 999999)|length }}", "over 1,000,000 characters"),
    ("{{ ('x' * 999999).join(['a', 'b', 'c'])|length }}", "over 1,000,000 characters"),
    ("{{ ('{0:{1}}' * 600).format(1, 99999)|length }}", "Widths and precisions in format() are limited to 1,000"),
    ("{{ '{0:>{1}.{1}}'.format('x', 5000) }}", "Widths and precisions in format() are limited to 1,000"),
    ("{{ range(-99999, 99999)|list|length }}", "range() is limited to 100,000 numbers"),
    ("{{ sum(range(100000)|batch(1)|list, []) * 11 }}", "too large"),
]


@pytest.fixture
def roomy_deadline(monkeypatch):
    """The size limits must answer on their own, also on a busy machine where the 1 s deadline could answer first;
    the wall-clock bound below still catches what the limits exist for (minutes and gigabytes before they answer)."""
    monkeypatch.setattr(expression_limits, "MAX_SECONDS", 30.0)


@pytest.mark.parametrize(("expression", "words"), ATTACKS)
def test_attacks_are_refused_quickly_with_the_limit_named(expression, words, roomy_deadline):
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        evaluate(expression, scope())
    assert time.perf_counter() - started < 10
    assert words in caught.value.message
    assert caught.value.code in ("expression_limit", "too_large")


def test_adding_lists_with_sum_is_linear_not_quadratic(roomy_deadline):
    started = time.perf_counter()
    assert evaluate("{{ sum(range(60000)|batch(1)|list, [])|length }}", scope()) == 60000
    assert evaluate("{{ range(60000)|batch(1)|sum(start=[])|length }}", scope()) == 60000
    assert time.perf_counter() - started < 10  # was minutes under load: each + copied the growing list


def test_the_deadline_stops_a_slow_expression_and_names_the_limit(monkeypatch):
    monkeypatch.setattr(expression_limits, "MAX_SECONDS", 0.05)
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        evaluate("{{ range(100000)|map('string')|map('upper')|map('lower')|map('title')|list|length }}", scope())
    assert time.perf_counter() - started < 1.0
    assert caught.value.code == "expression_limit" and "0.05 s" in caught.value.message
    assert caught.value.translatable["values"] == {"seconds": "0.05"}
    assert evaluate("{{ json.amount + 1 }}", scope()) == 1201  # the next evaluation has its own time


ADDRESS = re.compile(r"0x[0-9a-f]{6,}|<(built-in|function|generator|bound|class|.* object at)", re.IGNORECASE)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ '{0.keys}'.format(json) }}",
        "{{ '{0.get!r}'.format(json) }}",
        "{{ '{x.keys}'.format_map({'x': json}) }}",
        "Hi {{ json.keys }}",
        "{{ json.keys|string }}",
        "{{ [json.keys]|string }}",
        "{{ json.keys|upper }}",
        "{{ json.keys ~ '' }}",
        "{{ str(now) }}",
        "{{ now|string }}",
        "{{ range|string }}",
        "{{ to_json(json.keys) }}",
        "{{ [now]|join(', ') }}",
    ],
)
def test_functions_never_become_text_with_addresses(expression):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expression, scope())
    assert not ADDRESS.search(caught.value.message), caught.value.message
    assert "function" in caught.value.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ json|items|string }}", "[('name', '김민지'), ('amount', 1200), ('items', [1, 2]), ('nested', {'x': 1})]"),
        ("{{ json.items|reverse|string }}", "[2, 1]"),
        ("{{ json.nested|items|list }}", [("x", 1)]),
        ("{{ nodes|string }}", "{'Webhook': {'json': {'body': {'email': 'a@b.example'}}}}"),
        ("{{ [vars]|string }}", "[{'region': 'Seoul'}]"),
        ("{{ '{0[name]} {1:>5}'.format(json, 7) }}", "김민지     7"),
        ("{{ range(3)|map('string')|join('-') }}", "0-1-2"),
        ("{{ range(3)|list|tojson(2) }}", "[\n  0,\n  1,\n  2\n]"),
        ("{{ to_json({'a': today()}) }}", '{"a": "2026-11-25"}'),
        ("{{ sum([1, 2, 3]) }}", 6),
        ("{{ [1] + [2] }}", [1, 2]),
    ],
)
def test_everyday_expressions_still_work(expression, expected):
    assert evaluate(expression, scope()) == expected


def test_a_run_step_with_a_bounded_expression_fails_with_the_limit():
    nodes = [
        node("start", "trigger.manual"),
        node("set", "data.set", fields=[{"name": "big", "value": "{{ range(5000)|list|tojson(99999)|length }}"}]),
    ]
    started = time.perf_counter()
    result, _ = run(nodes, [edge("start", "set")])
    assert time.perf_counter() - started < 1.5
    assert result.status == "failed" and result.failed_node == "set" and result.error_code == "expression_limit"
    assert "8 spaces" in result.error


def test_lazy_mappings_become_text_as_their_data():
    from apps.flows.engine.context import NodeOutputs

    outputs = NodeOutputs({"n1": {"main": [{"a": 1}]}}, {"Fetch": "n1"})
    text = evaluate("{{ [nodes]|string }}", {**scope(), "nodes": outputs})
    assert text == "[{'Fetch': {'json': {'a': 1}, 'items': [{'a': 1}], 'outputs': {'main': [{'a': 1}]}}}]"
