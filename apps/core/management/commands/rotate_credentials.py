from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import get_tenant_model, tenant_context

from apps.core.crypto import rotators


def _summary(counts: list[tuple[int, str]]) -> str:
    parts = [f"{count} {label}" for count, label in counts]
    if len(parts) < 2:
        return "".join(parts) or "nothing"
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class Command(BaseCommand):
    help = "Re-encrypt every organization's stored secrets (credentials, alert Slack addresses) with the first EZFLOW_CREDENTIAL_KEYS key."

    def handle(self, *args, **options):
        registered = rotators()
        totals = [0] * len(registered)
        for organization in get_tenant_model().objects.exclude(schema_name="public"):
            with tenant_context(organization), transaction.atomic():
                for index, rotator in enumerate(registered):
                    totals[index] += rotator.rotate()
        self.stdout.write("re-encrypted " + _summary([(total, r.label) for total, r in zip(totals, registered, strict=True)]))
