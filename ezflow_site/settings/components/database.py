from urllib.parse import unquote

from ezflow_site.embedded_db import embedded_database_url

from .env import env

# DATABASE_URL selects an external PostgreSQL (scale-out); otherwise the embedded server under .data/.
DATABASE_URL = env.str("DATABASE_URL", default="") or embedded_database_url()

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# A unix-socket directory arrives percent-encoded in the host part of the URL.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A bounded pool per process: under ASGI every concurrent request (and every webhook run thread) would
# otherwise hold its own connection and exhaust the server's max_connections.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
    "min_size": env.int("DATABASE_POOL_MIN", default=2),
    "max_size": env.int("DATABASE_POOL_MAX", default=16),
    "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    # Connections above min_size close after this long unused (psycopg_pool's default is ten minutes).
    "max_idle": env.float("DATABASE_POOL_MAX_IDLE", default=600.0),
}
DATABASES["default"].setdefault("TEST", {})
if env.str("EZFLOW_TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env.str("EZFLOW_TEST_DATABASE_NAME")

DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
