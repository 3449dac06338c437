from .env import env

TENANT_MODEL = "accounts.Organization"
TENANT_DOMAIN_MODEL = "accounts.Domain"
PUBLIC_SCHEMA_NAME = "public"
# Slugs that would clash with platform hosts, paths or PostgreSQL schemas.
EZFLOW_RESERVED_SLUGS = frozenset(
    """
    www admin api app apps public static media assets cdn mail smtp imap pop ftp ssh root
    system status health healthz metrics docs help support billing blog dashboard login logout
    signup register auth oauth account accounts graphql ws wss marketplace templates template
    demo-admin ezflow staff test localhost pg postgres information-schema
    """.split()
)
TENANT_LIMIT_SET_CALLS = True  # one SET search_path per connection and tenant switch, not per cursor

# How `ezflow_setup` migrates the organization schemas (docs/deployment.md): "standard" one after another in one
# process, or "subprocess" with EZFLOW_MIGRATION_PARALLEL fresh processes at once. django-tenants' "multiprocessing"
# executor is refused: it forks with the connection pool open, and its children hung when tried (docs/deployment.md).
EZFLOW_MIGRATION_EXECUTOR = env.str("EZFLOW_MIGRATION_EXECUTOR", default="standard")
EZFLOW_MIGRATION_PARALLEL = env.int("EZFLOW_MIGRATION_PARALLEL", default=4)
