"""Upgrade and rollback across many organizations (docs/deployment.md): how `ezflow_setup` migrates the schemas, and
that the previous image still counts as current against schemas a newer one migrated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client, RequestFactory

from apps.accounts.management.commands.ezflow_setup import tenant_migration_options
from apps.core.migration_state import tenant_migration_names, tenant_migrations_current
from apps.core.models import PlatformState
from apps.core.worker import record_heartbeat

ROOT = Path(__file__).resolve().parents[2]


def _record(names):
    PlatformState.objects.filter(key="tenant_migrations").update(value=json.dumps(sorted(names)))


def test_schemas_migrated_by_a_newer_image_are_current_for_the_previous_one(db):
    """Rollback: the new image's migrations stay applied; the previous image must keep serving."""
    record_heartbeat("celery@test")
    _record(tenant_migration_names() | {"runs.9999_added_by_the_next_release"})
    assert tenant_migrations_current() is True
    assert Client(HTTP_HOST="localhost").get("/healthz").status_code == 200


def test_a_schema_missing_one_of_this_codes_migrations_is_not_current(db):
    record_heartbeat("celery@test")
    names = tenant_migration_names()
    assert "runs.0001_initial" in names and len(names) > 5
    _record(names - {max(name for name in names if name.startswith("runs."))})
    assert tenant_migrations_current() is False
    assert Client(HTTP_HOST="localhost").get("/healthz").status_code == 503


def test_ezflow_setup_records_every_tenant_migration(db):
    PlatformState.objects.filter(key="tenant_migrations").update(value="[]")
    assert tenant_migrations_current() is False
    call_command("ezflow_setup", verbosity=0)
    recorded = set(json.loads(PlatformState.objects.get(key="tenant_migrations").value))
    assert recorded == tenant_migration_names()
    assert tenant_migrations_current() is True


def test_organization_schemas_migrate_one_by_one_or_in_parallel_processes(settings):
    settings.EZFLOW_MIGRATION_EXECUTOR = "standard"
    assert tenant_migration_options() == {"executor": "standard"}
    settings.EZFLOW_MIGRATION_EXECUTOR = "subprocess"
    settings.EZFLOW_MIGRATION_PARALLEL = 6
    assert tenant_migration_options() == {"executor": "subprocess", "parallel": 6}


def test_the_forking_executor_is_refused(settings):
    """django-tenants' multiprocessing executor forks with the psycopg pool open; its children hang (docs)."""
    settings.EZFLOW_MIGRATION_EXECUTOR = "multiprocessing"
    with pytest.raises(CommandError, match="standard, subprocess"):
        tenant_migration_options()


def test_migrate_schemas_accepts_the_options_ezflow_setup_passes(settings):
    from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

    parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
    settings.EZFLOW_MIGRATION_EXECUTOR = "subprocess"
    options = tenant_migration_options()
    parsed = parser.parse_args(["--tenant", "--executor", options["executor"], "--parallel", str(options["parallel"])])
    assert parsed.executor == "subprocess" and parsed.parallel == 4


def _settings_value(expression: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("EZFLOW_", "DJANGO_"))}
    environment.update(DJANGO_SETTINGS_MODULE="ezflow_site.settings", DJANGO_SECRET_KEY="x" * 50, **env)
    code = f"from django.conf import settings; print({expression})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("scheme", "port", "expected"),
    [
        ("https", "443", "['https://*.example.com', 'https://example.com']"),
        ("http", "8000", "['http://*.example.com:8000', 'http://example.com:8000']"),
    ],
)
def test_csrf_origins_name_the_port_only_when_it_is_not_the_schemes_default(tmp_path, scheme, port, expected):
    environment = {"EZFLOW_BASE_DOMAIN": "example.com", "EZFLOW_SCHEME": scheme, "EZFLOW_PORT": port, "EZFLOW_DATA_DIR": str(tmp_path)}
    value = _settings_value("settings.CSRF_TRUSTED_ORIGINS", **environment)
    assert value == expected


def test_an_organization_page_behind_a_tls_proxy_passes_the_origin_check(settings):
    """What a browser sends to https://acme.example.com through an ingress that ends TLS."""
    settings.ALLOWED_HOSTS = [".example.com"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.com", "https://example.com"]
    request = RequestFactory().post("/flows/", HTTP_HOST="acme.example.com", HTTP_ORIGIN="https://acme.example.com")
    assert CsrfViewMiddleware(lambda r: None)._origin_verified(request) is True
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.com:443", "https://example.com:443"]  # what the default was
    assert CsrfViewMiddleware(lambda r: None)._origin_verified(request) is False


def test_the_forwarded_scheme_is_trusted_only_when_asked(tmp_path):
    assert _settings_value("getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)", EZFLOW_DATA_DIR=str(tmp_path)) == "None"
    trusted = _settings_value("settings.SECURE_PROXY_SSL_HEADER", EZFLOW_DATA_DIR=str(tmp_path), EZFLOW_TRUST_X_FORWARDED_PROTO="1")
    assert trusted == "('HTTP_X_FORWARDED_PROTO', 'https')"
