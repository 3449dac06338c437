"""Estimated cost of model calls from the price table in settings (US dollars per million tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

MILLION = Decimal(1_000_000)


def price_of(model: str) -> dict | None:
    prices = settings.EZFLOW_AI_PRICES or {}
    found = prices.get(model)
    if found is None:  # a dated name ("claude-sonnet-4-5-20250929") costs what its family does
        found = next((price for name, price in sorted(prices.items(), key=lambda p: -len(p[0])) if model.startswith(f"{name}-")), None)
    return found if isinstance(found, dict) else None


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
    price = price_of(model)
    if price is None:
        return None
    try:
        total = Decimal(str(price.get("input", 0))) * input_tokens + Decimal(str(price.get("output", 0))) * output_tokens
    except (ArithmeticError, ValueError):
        return None
    return (total / MILLION).quantize(Decimal("0.000001"))


@dataclass
class Tally:
    """The usage of one step execution, added up over its items and model calls."""

    provider: str
    model: str = ""
    calls: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal | None = Decimal(0)

    def add(self, model: str, input_tokens: int, output_tokens: int) -> dict:
        """Counts one call; returns that call's usage (for the item's output)."""
        self.model = self.model or model
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        cost = cost_usd(model, input_tokens, output_tokens)
        self.cost = None if cost is None or self.cost is None else self.cost + cost
        return usage_dict(input_tokens, output_tokens, cost)


def usage_dict(input_tokens: int, output_tokens: int, cost: Decimal | None) -> dict:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "cost_usd": float(cost) if cost is not None else None,
    }
