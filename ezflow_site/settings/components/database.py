from urllib.parse import unquote

from ezflow_site.embedded_db import embedded_database_url

from .env import env

# DATABASE_URL selects an external PostgreSQL (scale-out); otherwise the embedded server under .data/.
DATABASE_URL = env.str("DATABASE_URL", default="") or embedded_database_url()

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# A unix-socket directory arrives percent-encoded in the host part of the URL.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})
if env.str("EZFLOW_TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env.str("EZFLOW_TEST_DATABASE_NAME")

DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
