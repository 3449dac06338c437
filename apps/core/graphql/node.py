"""Relay's `node(id:)` field, with an id that names no node of this API answered as a coded GraphQL error.

graphene raises a bare Exception for such ids, which clients cannot tell from a failure of the server."""

from __future__ import annotations

from django.utils.translation import gettext as _
from graphene import relay
from graphene.relay.node import NodeField as RelayNodeField
from graphql import GraphQLError
from graphql_relay import from_global_id


def _names_a_node(info, global_id) -> bool:
    try:
        type_name, _id = from_global_id(global_id)
    except (TypeError, ValueError):
        return False
    found = info.schema.get_type(type_name) if type_name else None
    graphene_type = getattr(found, "graphene_type", None)
    return graphene_type is not None and relay.Node in getattr(graphene_type._meta, "interfaces", ())


class NodeField(RelayNodeField):
    def __init__(self, **kwargs):
        super().__init__(relay.Node, **kwargs)

    def wrap_resolve(self, parent_resolver):
        resolve = super().wrap_resolve(parent_resolver)

        def checked(root, info, **arguments):
            if not _names_a_node(info, arguments.get("id")):
                raise GraphQLError(_("This is not the id of anything here."), extensions={"code": "invalid_id"})
            return resolve(root, info, **arguments)

        return checked
