"""What each app adds to the one GraphQL endpoint, registered from its AppConfig.ready():

    graphql_registry.contribute("marketplace", "apps.marketplace.graphql.schema")
    graphql_registry.authenticate_with("bearer", api_token_graphql_authenticate)

A contributed module may define `Query` and/or `Mutation` (graphene ObjectTypes) and `types` (extra types only
reachable through interfaces). Modules are imported and merged at the first request (core never imports an app above
it); two apps defining the same root field is a start-up error, not a silent override."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

if TYPE_CHECKING:
    import graphene

# Sets request.user / request.membership from the credentials after "<scheme> " in the Authorization header, or
# raises a DomainError (its status and code are answered).
Authenticator = Callable[[HttpRequest, str], None]


class GraphQLRegistry:
    def __init__(self) -> None:
        self._modules: dict[str, str] = {}
        self._authenticators: dict[str, Authenticator] = {}
        self._schema: graphene.Schema | None = None
        self._lock = threading.Lock()

    def contribute(self, app_label: str, module: str) -> None:
        known = self._modules.get(app_label)
        if known is not None and known != module:
            raise ImproperlyConfigured(f"GraphQL: {app_label!r} already contributes {known!r}.")
        with self._lock:
            self._modules[app_label] = module
            self._schema = None

    def withdraw(self, app_label: str) -> None:
        with self._lock:
            self._modules.pop(app_label, None)
            self._schema = None

    def authenticate_with(self, scheme: str, authenticator: Authenticator) -> None:
        self._authenticators[scheme.lower()] = authenticator

    def authenticator(self, scheme: str) -> Authenticator | None:
        return self._authenticators.get(scheme.lower())

    def schema(self) -> graphene.Schema:
        schema = self._schema
        if schema is None:
            with self._lock:
                if self._schema is None:
                    self._schema = compose({label: importlib.import_module(path) for label, path in self._modules.items()})
                schema = self._schema
        return schema


def compose(modules: dict) -> graphene.Schema:
    """One schema from the apps' modules (app label -> module), in app label order so the result is stable."""
    import graphene  # here, not at the top: workers register apps too and never build the schema (memory)

    queries, mutations, types = [], [], []
    for label in sorted(modules):
        module = modules[label]
        if getattr(module, "Query", None) is not None:
            queries.append((label, module.Query))
        if getattr(module, "Mutation", None) is not None:
            mutations.append((label, module.Mutation))
        types.extend(getattr(module, "types", ()))
    if not queries:
        raise ImproperlyConfigured("GraphQL: no installed app contributes a Query.")
    return graphene.Schema(query=_merge("Query", queries), mutation=_merge("Mutation", mutations), types=types or None)


def _merge(name: str, parts: list[tuple[str, type]]) -> type | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0][1]
    owners: dict[str, str] = {}
    for label, part in parts:
        for field in part._meta.fields:
            if field in owners:
                raise ImproperlyConfigured(f"GraphQL: {name}.{field} is defined by both {owners[field]!r} and {label!r}.")
            owners[field] = label
    return type(name, tuple(part for _label, part in parts), {"Meta": type("Meta", (), {"name": name})})


graphql_registry = GraphQLRegistry()
