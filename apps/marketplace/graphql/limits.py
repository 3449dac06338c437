"""Validation rules that bound the work one GraphQL document may ask for: depth, aliases, cost; and no mutations
on the public host. Introspection (fields starting with "__") is allowed and not counted."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from graphene.validation import depth_limit_validator
from graphql import GraphQLError
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, OperationDefinitionNode, OperationType
from graphql.validation import ValidationRule


def _error(message: str, code: str, node) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


class _DocumentRule(ValidationRule):
    """Walks each operation once, following fragments (a fragment cycle is reported by graphql-core itself)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        self.fragments = {f.name.value: f for f in self.context.document.definitions if f.kind == "fragment_definition"}
        self.check(node)

    def check(self, node):  # pragma: no cover - overridden
        raise NotImplementedError

    def selections(self, selection_set, seen=frozenset()):
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.selections(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self.selections(fragment.selection_set, seen | {selection.name.value})


class AliasLimitRule(_DocumentRule):
    def check(self, node):
        limit = settings.EZFLOW_GRAPHQL_MAX_ALIASES
        count = self._count(node.selection_set)
        if count > limit:
            self.report_error(
                _error(
                    _("This query uses %(count)s aliases; at most %(max)s are allowed.") % {"count": count, "max": limit},
                    "too_many_aliases",
                    node,
                )
            )

    def _count(self, selection_set) -> int:
        total = 0
        for field in self.selections(selection_set):
            if field.name.value.startswith("__"):
                continue
            total += (1 if field.alias else 0) + self._count(field.selection_set)
        return total


class CostLimitRule(_DocumentRule):
    """Each field costs 1; a field with `first`/`last` multiplies what is below it by that number (by the largest
    page size when it comes from a variable)."""

    def check(self, node):
        limit = settings.EZFLOW_GRAPHQL_MAX_COST
        cost = self._cost(node.selection_set)
        if cost > limit:
            self.report_error(
                _error(
                    _("This query asks for too much at once (cost %(cost)s, at most %(max)s). Ask for fewer items or fields.")
                    % {"cost": cost, "max": limit},
                    "query_too_costly",
                    node,
                )
            )

    def _cost(self, selection_set) -> int:
        total = 0
        for field in self.selections(selection_set):
            if field.name.value.startswith("__"):
                continue
            multiplier = 1
            for argument in field.arguments or ():
                if argument.name.value in ("first", "last"):
                    value = argument.value
                    multiplier = int(value.value) if isinstance(value, IntValueNode) else settings.EZFLOW_GRAPHQL_MAX_PAGE
                    multiplier = max(1, min(multiplier, settings.EZFLOW_GRAPHQL_MAX_PAGE))
            total += 1 + multiplier * self._cost(field.selection_set)
        return total


class NoMutationsRule(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        if node.operation != OperationType.QUERY:
            self.report_error(
                _error(
                    _("Changes are made on your organization's address, not on the public site. Sign in to your organization."),
                    "mutations_not_allowed",
                    node,
                )
            )


def validation_rules(*, public: bool) -> list:
    rules = [depth_limit_validator(max_depth=settings.EZFLOW_GRAPHQL_MAX_DEPTH), AliasLimitRule, CostLimitRule]
    if public:
        rules.append(NoMutationsRule)
    return rules
