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


class Query(graphene.ObjectType):
    ai_modules = graphene.List(
        graphene.NonNull(AiModuleType), required=True, description="The AI modules of the organization of this host (members only)."
    )

    @staticmethod
    def resolve_ai_modules(root, info):
        return list(selectors.module_list()) if _member(info) else []
