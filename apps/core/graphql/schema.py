"""The root schema (settings.GRAPHENE["SCHEMA"] points here). It is built at first use, when every app has
registered its contribution, so importing this module imports no app."""

from apps.core.graphql.registry import graphql_registry


def __getattr__(name: str):
    if name == "schema":
        return graphql_registry.schema()
    raise AttributeError(name)
