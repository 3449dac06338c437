"""What the benchmarks share: the nearest-rank percentile, Django set-up, and running a stack in each mode."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


def percentile(values, pct: float) -> float:
    """Nearest rank; NaN for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    import django

    django.setup()


def run_modes(run_mode: Callable[..., None]) -> int:
    """`run_mode("embedded")`, then `run_mode("scale-out", redis_url=...)` when REDIS_URL is set (BENCH_MODES narrows)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the stack's processes when stopped ourselves
    modes = os.environ.get("BENCH_MODES", "embedded,scale-out").split(",")
    if "embedded" in modes:
        run_mode("embedded")
    if "scale-out" in modes:
        if os.environ.get("REDIS_URL"):
            run_mode("scale-out", redis_url=os.environ["REDIS_URL"])
        else:
            print("scale-out: skipped (set REDIS_URL)")
    return 0
