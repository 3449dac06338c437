"""Organization schemas for in-process tests, made by replaying the SQL that migrating one schema executed.

Creating an organization runs every tenant migration; the migration framework (building the model state of each
migration, introspecting) took seconds per organization, for a few hundred organizations per test run. The test
database's first tenant schema is migrated for real while its statements are recorded; each organization created
afterwards replays them into its own schema: the same tables, constraints, indexes and migration records, in a
fraction of the time. Organizations signed up through the real processes of tests/e2e still run the migrations, as in
production. (django-tenants' own TENANT_BASE_SCHEMA cloning was tried first: its PL/pgSQL function is recreated on
every clone and the test database's connections grew slower with each one.)
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

RECORDING_SCHEMA = "ezflow_test_tenant_recording"
# Introspection and the transaction bookkeeping of the migration run: nothing to replay.
_SKIPPED = ("SELECT", "SHOW", "SET ", "SAVEPOINT", "RELEASE SAVEPOINT")

_statements: list[tuple[str, object, bool]] = []


def record_tenant_migrations_sql() -> None:
    """Migrate a scratch schema as `migrate_schemas --tenant` does for an organization, keeping what it executed."""
    recorded: list[tuple[str, object, bool]] = []

    def recorder(execute, sql, params, many, context):
        recorded.append((sql, params, many))
        return execute(sql, params, many, context)

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{RECORDING_SCHEMA}"')
    with connection.execute_wrapper(recorder):
        call_command("migrate_schemas", tenant=True, schema_name=RECORDING_SCHEMA, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{RECORDING_SCHEMA}" CASCADE')
    statements = [entry for entry in recorded if not entry[0].lstrip().upper().startswith(_SKIPPED)]
    assert not any(sql.lstrip().upper().startswith("ROLLBACK") for sql, _params, _many in statements), "a migration step was undone"
    assert not any(RECORDING_SCHEMA in sql for sql, _params, _many in statements), "statements name the recording schema"
    assert any("django_migrations" in sql for sql, _params, _many in statements)
    _statements[:] = statements


def create_schema(organization, check_if_exists=False, sync_schema=True, verbosity=1):
    """Replaces TenantMixin.create_schema in tests (tests/conftest.py): the recorded migrations, replayed."""
    if check_if_exists and schema_exists(organization.schema_name):
        return False
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{organization.schema_name}"')
    if sync_schema:
        connection.set_schema(organization.schema_name)
        with connection.cursor() as cursor:
            for sql, params, many in _statements:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
    connection.set_schema_to_public()
    return True
