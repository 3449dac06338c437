"""The platform's longest step timeout (EZFLOW_MAX_STEP_TIMEOUT_SECONDS): refused when saving, applied when running."""

import pytest
from django.utils import translation

from apps.flows.engine.graph import STEP_TIMEOUT_LIMITS, Graph
from apps.flows.engine.validation import validate_graph
from apps.flows.problems import problem_message
from tests.flows.engine.helpers import edge, node


@pytest.fixture
def limit(settings):
    before = STEP_TIMEOUT_LIMITS["max_seconds"]
    assert before == settings.EZFLOW_MAX_STEP_TIMEOUT_SECONDS  # the flows app applied the setting
    STEP_TIMEOUT_LIMITS["max_seconds"] = 600
    yield 600
    STEP_TIMEOUT_LIMITS["max_seconds"] = before


def graph(timeout):
    code = node("code", "code.python", "Code", settings={"timeout_seconds": timeout}, code="result = items")
    return {"nodes": [node("start", "trigger.manual", "Start"), code], "edges": [edge("start", "code")]}


def test_a_timeout_over_the_platform_limit_is_refused_with_a_clear_message(limit):
    assert validate_graph(graph(600)) == []
    (problem,) = validate_graph(graph(3600))
    assert (problem.code, problem.node_id, problem.path) == ("timeout_over_limit", "code", "settings.timeout_seconds")
    with translation.override("en"):
        assert problem_message(problem) == "A step may run for at most 600 seconds on this platform. Choose a shorter timeout."
    with translation.override("ko"):
        assert "최대 600초" in problem_message(problem)
    (below,) = validate_graph(graph(0))
    assert below.code == "setting_out_of_range"


def test_a_stored_longer_timeout_runs_with_the_limit(limit):
    stored = Graph.from_dict(graph(3600))  # saved before the limit existed
    assert stored.nodes["code"].setting("timeout_seconds") == 600
    assert Graph.from_dict(graph(30)).nodes["code"].setting("timeout_seconds") == 30


def test_the_published_graph_schema_states_the_platform_limit(settings):
    from apps.flows.engine.schema import GRAPH_SCHEMA

    timeout = GRAPH_SCHEMA["properties"]["nodes"]["items"]["properties"]["settings"]["properties"]["timeout_seconds"]
    assert timeout["maximum"] == settings.EZFLOW_MAX_STEP_TIMEOUT_SECONDS == 900  # not the 3600 it once said
