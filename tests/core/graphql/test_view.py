from django.test import Client

from tests.marketplace.support import gql


def nested(depth: int) -> str:
    """`{ probeNest { child { … level } } }` with `depth` levels of fields."""
    return "{ probeNest " + "{ child " * (depth - 2) + "{ level }" + " }" * (depth - 2) + " }"


def test_the_core_view_answers_a_document_at_the_depth_limit(db, probe_app, settings):
    status, body = gql(Client(HTTP_HOST="localhost"), nested(settings.EZFLOW_GRAPHQL_MAX_DEPTH))
    assert status == 200, body
    node, levels = body["data"]["probeNest"], 1
    while "child" in node:
        node, levels = node["child"], levels + 1
    assert node["level"] == levels == settings.EZFLOW_GRAPHQL_MAX_DEPTH - 1


def test_the_core_view_rejects_a_document_one_level_too_deep(db, probe_app, settings):
    status, body = gql(Client(HTTP_HOST="localhost"), nested(settings.EZFLOW_GRAPHQL_MAX_DEPTH + 1))
    assert status == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["query_too_deep"]
    assert "data" not in body or body["data"] is None


def test_a_query_that_is_too_long_is_refused_with_a_code(db, probe_app, settings):
    settings.EZFLOW_GRAPHQL_MAX_QUERY_LENGTH = 100
    status, body = gql(Client(HTTP_HOST="localhost"), '{ probeGreeting(name: "' + "x" * 100 + '") }')
    assert body["errors"][0]["extensions"]["code"] == "query_too_long"
