"""A contribution whose root field collides with the probe contribution's."""

import graphene


class Query(graphene.ObjectType):
    probe_greeting = graphene.String()
