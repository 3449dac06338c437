"""The image's `migrate` role upgrades every organization's schema, here with parallel fresh processes (the
subprocess executor the Kubernetes ConfigMap selects), against a database of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet

from ezflow_site import dbadmin

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("org_mig_one", "org_mig_two", "org_mig_three")


@pytest.fixture
def database():
    name = f"ezflow_deploy_{uuid.uuid4().hex[:10]}"
    dbadmin.create_database(os.environ["DATABASE_URL"], name)
    yield dbadmin.with_database(os.environ["DATABASE_URL"], name)
    dbadmin.drop_database(os.environ["DATABASE_URL"], name)


def _environment(database_url: str, data: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "EZFLOW_", "DJANGO_", "REDIS_"))}
    env.update(DATABASE_URL=database_url, EZFLOW_DATA_DIR=data, DJANGO_SECRET_KEY="s" * 50, EZFLOW_CREDENTIAL_KEYS="", **extra)
    return env


def _run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def _applied(database_url: str, migration: str) -> dict[str, bool]:
    with psycopg.connect(dbname=database_url.rsplit("/", 1)[1], **dbadmin.server_params(database_url)) as conn:
        query = 'SELECT 1 FROM "{}".django_migrations WHERE app = %s AND name = %s'
        return {schema: bool(conn.execute(query.format(schema), migration.split(".")).fetchone()) for schema in SCHEMAS}


def test_the_migrate_role_brings_every_organization_schema_up_to_date_in_parallel(database):
    data = tempfile.mkdtemp(prefix="ezflow-deploy-")
    embedded = _environment(database, data)  # creating organizations needs no broker
    _run([sys.executable, "manage.py", "ezflow_setup", "-v", "0"], embedded)
    slugs = [schema.removeprefix("org_").replace("_", "-") for schema in SCHEMAS]
    signup = "from apps.accounts.services.signup import organization_signup\n" + "".join(
        f"organization_signup(organization_name='{slug}', slug='{slug}', email='o@{slug}.example', password='a long passphrase 1')\n"
        for slug in slugs
    )
    _run([sys.executable, "manage.py", "shell", "-c", signup], embedded)
    newest = sorted(p.stem for p in (ROOT / "apps/runs/migrations").glob("0*.py"))[-1]
    previous = sorted(p.stem for p in (ROOT / "apps/runs/migrations").glob("0*.py"))[-2]
    # The database as the previous release left it: every organization one runs migration behind.
    _run([sys.executable, "manage.py", "migrate_schemas", "--tenant", "runs", previous, "-v", "0"], embedded)
    assert _applied(database, f"runs.{newest}") == dict.fromkeys(SCHEMAS, False)

    # Unreachable on purpose: migrating must not need the broker, only a scale-out environment.
    deployed = embedded | {"REDIS_URL": "redis://127.0.0.1:9/0", "EZFLOW_CREDENTIAL_KEYS": Fernet.generate_key().decode()}
    deployed |= {"EZFLOW_MIGRATION_EXECUTOR": "subprocess", "EZFLOW_MIGRATION_PARALLEL": "2"}
    output = _run([sys.executable, "-m", "ezflow_site.container", "migrate"], deployed)
    assert _applied(database, f"runs.{newest}") == dict.fromkeys(SCHEMAS, True), output
    check = "from apps.core.migration_state import tenant_migrations_current; print(tenant_migrations_current())"
    assert _run([sys.executable, "manage.py", "shell", "-c", check], embedded).strip().endswith("True")
    recorded = "from apps.core.models import PlatformState; print(PlatformState.objects.get(key='tenant_migrations').value)"
    assert f"runs.{newest}" in json.loads(_run([sys.executable, "manage.py", "shell", "-c", recorded], embedded).strip().splitlines()[-1])
