"""Validation rules that bound the work one GraphQL document may ask for: depth, aliases, cost; and no mutations
on the public host. Introspection (fields starting with "__") is allowed and not counted in depth or cost (graphql-core
bounds how deep it nests), but its aliases count: each aliased `__schema` is the whole schema again."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from graphql import GraphQLError
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, OperationDefinitionNode, OperationType
from graphql.validation import ValidationRule, specified_rules


def _error(message: str, code: str, node) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


class _MeasureRule(ValidationRule):
    """Measures each operation bottom-up. A fragment is measured once however often it is spread (no blow-up from
    fragments spreading fragments), and a fragment cycle counts as nothing here (graphql-core reports it)."""

    counts_introspection = False

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        self.fragments = {f.name.value: f for f in self.context.document.definitions if f.kind == "fragment_definition"}
        self.memo: dict[str, int] = {}
        self.check(node, self.measure(node.selection_set, frozenset()))

    def measure(self, selection_set, seen: frozenset) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__") and not self.counts_introspection:
                    continue
                value = self.field(selection, self.measure(selection.selection_set, seen))
            elif isinstance(selection, InlineFragmentNode):
                value = self.measure(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in self.fragments:
                    continue
                if name not in self.memo:
                    self.memo[name] = self.measure(self.fragments[name].selection_set, seen | {name})
                value = self.memo[name]
            else:  # pragma: no cover - no other selection kinds exist
                continue
            total = self.combine(total, value)
        return total

    def field(self, node: FieldNode, below: int) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def combine(self, total: int, value: int) -> int:
        return total + value

    def check(self, node, measured: int) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class DepthLimitRule(_MeasureRule):
    def field(self, node, below):
        return 1 + below

    def combine(self, total, value):
        return max(total, value)

    def check(self, node, measured):
        limit = settings.EZFLOW_GRAPHQL_MAX_DEPTH
        if measured > limit:
            message = _("This query is nested %(depth)s levels deep; at most %(max)s are allowed.") % {"depth": measured, "max": limit}
            self.report_error(_error(message, "query_too_deep", node))


class AliasLimitRule(_MeasureRule):
    counts_introspection = True

    def field(self, node, below):
        return (1 if node.alias else 0) + below

    def check(self, node, measured):
        limit = settings.EZFLOW_GRAPHQL_MAX_ALIASES
        if measured > limit:
            message = _("This query uses %(count)s aliases; at most %(max)s are allowed.") % {"count": measured, "max": limit}
            self.report_error(_error(message, "too_many_aliases", node))


class CostLimitRule(_MeasureRule):
    """Each field costs 1; a field with `first`/`last` multiplies what is below it by that number (by the largest
    page size when it comes from a variable)."""

    def field(self, node, below):
        multiplier = 1
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                multiplier = int(value.value) if isinstance(value, IntValueNode) else settings.EZFLOW_GRAPHQL_MAX_PAGE
                multiplier = max(1, min(multiplier, settings.EZFLOW_GRAPHQL_MAX_PAGE))
        return 1 + multiplier * below

    def check(self, node, measured):
        limit = settings.EZFLOW_GRAPHQL_MAX_COST
        if measured > limit:
            message = _("This query asks for too much at once (cost %(cost)s, at most %(max)s). Ask for fewer items or fields.") % {
                "cost": measured,
                "max": limit,
            }
            self.report_error(_error(message, "query_too_costly", node))


class NoMutationsRule(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        if node.operation != OperationType.QUERY:
            message = _("Changes are made on your organization's address, not on the public site. Sign in to your organization.")
            self.report_error(_error(message, "mutations_not_allowed", node))


def validation_rules(*, public: bool) -> list:
    """The standard GraphQL rules plus ours (graphql-core replaces its standard rules by any list it is given)."""
    rules = [*specified_rules, DepthLimitRule, AliasLimitRule, CostLimitRule]
    if public:
        rules.append(NoMutationsRule)
    return rules
