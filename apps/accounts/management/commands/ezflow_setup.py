from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services.platform import DEMO_EMAIL, demo_organization_ensure, public_site_ensure
from apps.core.migration_state import record_tenant_migrations


class Command(BaseCommand):
    help = "Migrate the shared and every organization's schema, create the public site and (optionally) the demo organization."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Create the demo organization if it is missing.")
        parser.add_argument("--demo-password", default="ezflow-demo-2026!")

    def handle(self, *args, demo=False, demo_password="", **options):
        verbosity = options.get("verbosity", 1)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=max(verbosity - 1, 0))
        public_site_ensure()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=max(verbosity - 1, 0), **tenant_migration_options())
        record_tenant_migrations()
        if demo:
            organization, _user, created = demo_organization_ensure(password=demo_password)
            state = "created" if created else "kept"
            self.stdout.write(f"Demo organization {state}: {organization.url}")
            self.stdout.write(f"  sign in as {DEMO_EMAIL} / {demo_password}" + ("" if created else " (unless you changed it)"))
            call_command("marketplace_load_templates", stdout=self.stdout)
        self.stdout.write(f"Public site: {settings.EZFLOW_SCHEME}://{settings.EZFLOW_BASE_DOMAIN}:{settings.EZFLOW_PORT}/")


EXECUTORS = ("standard", "subprocess")


def tenant_migration_options() -> dict:
    """How organization schemas are migrated: one after another, or in parallel fresh processes (docs/deployment.md)."""
    executor = settings.EZFLOW_MIGRATION_EXECUTOR
    if executor not in EXECUTORS:
        raise CommandError(f"EZFLOW_MIGRATION_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if executor == "subprocess":
        return {"executor": executor, "parallel": max(settings.EZFLOW_MIGRATION_PARALLEL, 1)}
    return {"executor": executor}
