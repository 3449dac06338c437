"""The base of every mutation: the permission is declared on the mutation and checked here, once; refusals come
back as typed errors (`errors { field code message }`) next to the result."""

from __future__ import annotations

import graphene
from django.core.exceptions import ImproperlyConfigured

from apps.core.errors import DomainError
from apps.core.graphql.errors import ErrorType, errors_from


class Permission:
    """Who may run a mutation. `check` answers the caller handed to `perform` (for example the membership) or raises
    a DomainError (usually MutationRefused) with a stable code. Apps that know about callers (accounts) subclass it."""

    def check(self, info):  # pragma: no cover - overridden
        raise NotImplementedError


class BaseMutation(graphene.Mutation):
    errors = graphene.List(graphene.NonNull(ErrorType), required=True)

    permission: Permission | None = None

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        # Fail closed at import time: a mutation nobody thought about the permission of must not reach the schema.
        if not isinstance(cls.permission, Permission):
            raise ImproperlyConfigured(f"The mutation {cls.__name__} must declare `permission = <a Permission>`.")
        super().__init_subclass_with_meta__(**options)

    @classmethod
    def mutate(cls, root, info, **arguments):
        try:
            caller = cls.permission.check(info)
            return cls.perform(info, caller, **arguments)
        except DomainError as exc:
            return cls(errors=errors_from(exc))

    @classmethod
    def perform(cls, info, caller, **arguments):  # pragma: no cover - overridden
        raise NotImplementedError
