"""Whether every organization schema has the tenant migrations this code expects.

Checking hundreds of schemas on every /healthz call would be slow, so `ezflow_setup` records a fingerprint of the
tenant migration graph once `migrate_schemas --tenant` has finished; health compares it with the running code.
"""

import hashlib

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

KEY = "tenant_migrations"


def tenant_migration_fingerprint() -> str:
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = sorted(f"{app}.{name}" for app, name in loader.graph.leaf_nodes() if app in tenant_labels)
    return hashlib.sha256("\n".join(leaves).encode()).hexdigest()


def record_tenant_migrations() -> None:
    from apps.core.models import PlatformState

    connection.set_schema_to_public()
    PlatformState.objects.update_or_create(key=KEY, defaults={"value": tenant_migration_fingerprint()})


def tenant_migrations_current() -> bool:
    from apps.core.models import PlatformState

    recorded = PlatformState.objects.filter(key=KEY).values_list("value", flat=True).first()
    return recorded == tenant_migration_fingerprint()
