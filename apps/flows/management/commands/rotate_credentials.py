from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import get_tenant_model, tenant_context

from apps.flows.services.credentials import credentials_rotate
from apps.notifications.services.rules import alert_rules_rotate_secrets


class Command(BaseCommand):
    help = "Re-encrypt every organization's credentials and alert Slack addresses with the first key of EZFLOW_CREDENTIAL_KEYS."

    def handle(self, *args, **options):
        total = slack = 0
        for organization in get_tenant_model().objects.exclude(schema_name="public"):
            with tenant_context(organization), transaction.atomic():
                total += credentials_rotate()
                slack += alert_rules_rotate_secrets()
        self.stdout.write(f"re-encrypted {total} credential(s) and {slack} alert Slack address(es)")
