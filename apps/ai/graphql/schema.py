"""The organization's AI modules in GraphQL (contributed to the root schema by AiConfig.ready()): members of the
host read them; nothing of another organization is reachable (the schema is the host's)."""

from __future__ import annotations

import graphene

from apps.accounts.roles import Role, role_at_least
from apps.ai.modules import selectors


def _member(info) -> bool:
    tenant = getattr(info.context, "tenant", None)
    membership = getattr(info.context, "membership", None)
    return tenant is not None and not tenant.is_public and membership is not None and role_at_least(membership.role, Role.VIEWER)


class AiModuleVersionType(graphene.ObjectType):
    number = graphene.Int(required=True)
    spec = graphene.JSONString(required=True, description="How item fields feed the model and what its outputs mean.")
    signature = graphene.JSONString(required=True, description="The model's inputs and outputs (names, data types, shapes).")
    size = graphene.Int(required=True)
    sha256 = graphene.String(required=True)
    note = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)


class AiModuleType(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    kind = graphene.String(required=True)
    summary = graphene.String(required=True)
    license = graphene.String(required=True)
    active_version = graphene.Int()
    candidate_version = graphene.Int()
    candidate_share = graphene.Int(required=True)
    versions = graphene.List(graphene.NonNull(AiModuleVersionType), required=True)

    @staticmethod
    def resolve_id(module, info):
        return module.pk

    @staticmethod
    def resolve_versions(module, info):
        return list(selectors.module_versions(module=module))


class AiUsageTotalsType(graphene.ObjectType):
    calls = graphene.Int(required=True)
    input_tokens = graphene.Float(required=True)
    output_tokens = graphene.Float(required=True)
    total_tokens = graphene.Float(required=True)
    cost_usd = graphene.Float(description="Estimated from the price list in the settings (US dollars); null when no call had a price.")


class AiStepUsageType(AiUsageTotalsType):
    node_id = graphene.String(required=True)
    node_name = graphene.String(required=True)
    provider = graphene.String(required=True)
    model = graphene.String(required=True)
    cost_complete = graphene.Boolean(required=True)


class AiRunUsageType(graphene.ObjectType):
    steps = graphene.List(graphene.NonNull(AiStepUsageType), required=True)
    total = graphene.Field(AiUsageTotalsType, required=True)


class AiMonthUsageType(AiUsageTotalsType):
    budget_usd = graphene.Float(description="The organization's monthly AI budget; null when none is set.")
    organization_cost_usd = graphene.Float(description="The whole organization's estimated cost this month.")
    budget_share = graphene.Float(description="organization_cost_usd / budget_usd.")


class Query(graphene.ObjectType):
    ai_run_usage = graphene.Field(
        AiRunUsageType,
        run_id=graphene.Int(required=True),
        description="Tokens and estimated cost of each AI step of a run of this host's organization (members only).",
    )
    ai_usage_this_month = graphene.Field(
        AiMonthUsageType,
        flow_id=graphene.Int(),
        description="AI usage this calendar month (organization's time zone), of one flow or the organization, with the budget.",
    )

    @staticmethod
    def resolve_ai_run_usage(root, info, run_id):
        if not _member(info):
            return None
        from apps.ai.run_sections import run_usage_json
        from apps.runs.models import Run

        run = Run.objects.filter(pk=run_id).first()
        return run_usage_json(run) if run is not None else None

    @staticmethod
    def resolve_ai_usage_this_month(root, info, flow_id=None):
        if not _member(info):
            return None
        from apps.ai.run_sections import organization_now
        from apps.ai.selectors import month_usage

        return month_usage(now=organization_now(info.context.tenant), flow_id=flow_id)

    ai_modules = graphene.List(
        graphene.NonNull(AiModuleType), required=True, description="The AI modules of the organization of this host (members only)."
    )

    @staticmethod
    def resolve_ai_modules(root, info):
        return list(selectors.module_list()) if _member(info) else []
