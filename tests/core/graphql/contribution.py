"""A second app's GraphQL contribution, registered by the tests the way an app registers from AppConfig.ready()."""

import graphene

from apps.accounts.graphql.permissions import Member
from apps.accounts.roles import Role
from apps.core.graphql.errors import MutationRefused
from apps.core.graphql.mutations import BaseMutation


class Nest(graphene.ObjectType):
    level = graphene.Int(required=True)
    child = graphene.Field(lambda: Nest)

    @staticmethod
    def resolve_child(parent, info):
        return Nest(level=parent.level + 1)


class Query(graphene.ObjectType):
    probe_greeting = graphene.String(required=True, name=graphene.String(required=True))
    probe_nest = graphene.Field(Nest, required=True)

    @staticmethod
    def resolve_probe_greeting(root, info, name):
        return f"Hello, {name}"

    @staticmethod
    def resolve_probe_nest(root, info):
        return Nest(level=1)


class RenameProbe(BaseMutation):
    permission = Member(Role.ADMIN)

    class Arguments:
        new_name = graphene.String(required=True)

    name = graphene.String()

    @classmethod
    def perform(cls, info, membership, new_name):
        if not new_name.strip():
            raise MutationRefused("A name is needed.", code="invalid", field="new_name")
        return cls(name=f"{new_name} ({membership.role})", errors=[])


class Mutation(graphene.ObjectType):
    rename_probe = RenameProbe.Field()
