from .env import env

GRAPHENE = {
    "SCHEMA": "apps.core.graphql.schema.schema",  # composed from every app's contribution at first use
    "ATOMIC_MUTATIONS": False,  # services own their transactions
}
# Bounds on one GraphQL document (see apps/core/graphql/limits.py).
EZFLOW_GRAPHQL_MAX_DEPTH = env.int("EZFLOW_GRAPHQL_MAX_DEPTH", default=10)
EZFLOW_GRAPHQL_MAX_ALIASES = env.int("EZFLOW_GRAPHQL_MAX_ALIASES", default=20)
EZFLOW_GRAPHQL_MAX_COST = env.int("EZFLOW_GRAPHQL_MAX_COST", default=5000)
EZFLOW_GRAPHQL_MAX_PAGE = 50
EZFLOW_GRAPHQL_MAX_QUERY_LENGTH = 20_000
EZFLOW_GRAPHQL_DEFAULT_PAGE = 20
# Per person, in a sliding window: comments written and templates rated.
EZFLOW_MARKETPLACE_RATE_WINDOW_SECONDS = env.int("EZFLOW_MARKETPLACE_RATE_WINDOW_SECONDS", default=600)
EZFLOW_MARKETPLACE_COMMENT_LIMIT = env.int("EZFLOW_MARKETPLACE_COMMENT_LIMIT", default=10)
EZFLOW_MARKETPLACE_RATING_LIMIT = env.int("EZFLOW_MARKETPLACE_RATING_LIMIT", default=20)
