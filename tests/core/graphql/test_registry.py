import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from apps.core.graphql.registry import GraphQLRegistry
from tests.marketplace.support import gql


def test_the_root_schema_answers_fields_of_two_apps_in_one_document(db, probe_app):
    status, body = gql(Client(HTTP_HOST="localhost"), '{ categories { value } probeGreeting(name: "Kim") }')
    assert status == 200, body
    assert body["data"]["probeGreeting"] == "Hello, Kim"
    assert {"value": "sales"} in body["data"]["categories"]


def test_a_withdrawn_contribution_leaves_the_schema(db, probe_app):
    from apps.core.graphql.registry import graphql_registry

    graphql_registry.withdraw("probe")
    status, body = gql(Client(HTTP_HOST="localhost"), '{ probeGreeting(name: "Kim") }')
    assert status == 400
    assert "probeGreeting" in body["errors"][0]["message"]
    status, body = gql(Client(HTTP_HOST="localhost"), "{ categories { value } }")
    assert status == 200 and body["data"]["categories"]


def test_modules_are_imported_at_first_use_not_at_registration():
    registry = GraphQLRegistry()
    registry.contribute("ghost", "tests.core.graphql.no_such_module")
    with pytest.raises(ModuleNotFoundError):
        registry.schema()


def test_two_apps_defining_the_same_root_field_is_a_start_up_error():
    registry = GraphQLRegistry()
    registry.contribute("probe", "tests.core.graphql.contribution")
    registry.contribute("rival", "tests.core.graphql.clashing")
    with pytest.raises(ImproperlyConfigured, match=r"Query\.probe_greeting is defined by both 'probe' and 'rival'"):
        registry.schema()


def test_an_app_cannot_silently_swap_its_module():
    registry = GraphQLRegistry()
    registry.contribute("probe", "tests.core.graphql.contribution")
    registry.contribute("probe", "tests.core.graphql.contribution")
    with pytest.raises(ImproperlyConfigured):
        registry.contribute("probe", "tests.core.graphql.clashing")


def test_the_composed_schema_keeps_each_apps_types_and_root_names():
    registry = GraphQLRegistry()
    registry.contribute("probe", "tests.core.graphql.contribution")
    registry.contribute("marketplace", "apps.marketplace.graphql.schema")
    schema = registry.schema().graphql_schema
    assert schema.query_type.name == "Query" and schema.mutation_type.name == "Mutation"
    assert {"probeGreeting", "probeNest", "templates", "node"} <= set(schema.query_type.fields)
    assert {"renameProbe", "publishTemplate", "forkTemplate"} <= set(schema.mutation_type.fields)
    assert registry.schema() is registry.schema()  # built once
