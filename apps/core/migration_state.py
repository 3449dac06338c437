"""Whether every organization schema has the tenant migrations this code expects.

Checking hundreds of schemas on every /healthz call would be slow, so `ezflow_setup` records the tenant migrations it
applied everywhere once `migrate_schemas --tenant` has finished; health checks that the running code's are among them.
A superset is current too: after a rollback to the previous image (docs/deployment.md), schemas hold migrations that
code does not know yet, and it must still serve.
"""

import json

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

KEY = "tenant_migrations"


def tenant_migration_names() -> set[str]:
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.graph.nodes if app in tenant_labels}


def record_tenant_migrations() -> None:
    from apps.core.models import PlatformState

    connection.set_schema_to_public()
    PlatformState.objects.update_or_create(key=KEY, defaults={"value": json.dumps(sorted(tenant_migration_names()))})


def tenant_migrations_current() -> bool:
    from apps.core.models import PlatformState

    recorded = PlatformState.objects.filter(key=KEY).values_list("value", flat=True).first()
    try:
        applied = set(json.loads(recorded or "[]"))
    except (ValueError, TypeError):  # a record written by older code (a fingerprint): migrate again
        return False
    return tenant_migration_names() <= applied
