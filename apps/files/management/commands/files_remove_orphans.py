import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import get_tenant_model, tenant_context

from apps.files.services import files_remove_orphans


class Command(BaseCommand):
    help = "Delete stored bytes no file row names (left by a rolled-back transaction), older than --hours (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, **options):
        total = 0
        for organization in get_tenant_model().objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME):
            with tenant_context(organization):
                total += files_remove_orphans(older_than=dt.timedelta(hours=options["hours"]))
        self.stdout.write(f"removed {total} orphaned file(s)")
