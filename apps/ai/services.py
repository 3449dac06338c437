"""Writes of the AI app."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from apps.ai.models import AiSettings
from apps.core.errors import DomainError

MAX_BUDGET = Decimal("10000000")


def ai_budget_set(*, amount) -> AiSettings:
    """Sets (or, with None or "", removes) the organization's monthly AI budget in US dollars."""
    if amount in (None, ""):
        value = None
    else:
        try:
            value = Decimal(str(amount).strip().replace(",", "").lstrip("$"))
        except InvalidOperation:
            raise DomainError(_("The budget must be an amount in US dollars, like 50 or 12.50."), code="invalid", field="amount") from None
        if not value.is_finite() or value < 0 or value > MAX_BUDGET:
            raise DomainError(_("The budget must be between 0 and 10,000,000 US dollars."), code="invalid", field="amount")
        value = value.quantize(Decimal("0.01"))
    with transaction.atomic():
        settings_row, _created = AiSettings.objects.select_for_update().get_or_create(pk=1)
        settings_row.monthly_budget_usd = value
        settings_row.save(update_fields=["monthly_budget_usd"])
    return settings_row
