"""Sign-up time as the number of organizations grows.

Creates a fresh database, then at 10, 100 and 500 existing organizations times SAMPLES sign-ups
(organization + schema + migrations + domain + owner) and prints p50 / p95 / max in milliseconds.
Run with `make bench BENCH=signup` (or `python -m ezflow_site.launcher bench signup`).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid

from bench.common import percentile, setup_django

LEVELS = [int(x) for x in os.environ.get("BENCH_LEVELS", "10,100,500").split(",")]
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))


def main() -> int:
    from ezflow_site import dbadmin

    server_url = os.environ["DATABASE_URL"]
    name = f"ezflow_bench_{uuid.uuid4().hex[:8]}"
    os.environ["DATABASE_URL"] = dbadmin.create_database(server_url, name)
    setup_django()
    from django.core.management import call_command

    from apps.accounts.models import Organization
    from apps.accounts.services.platform import public_site_ensure
    from apps.accounts.services.signup import organization_signup

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_site_ensure()
        counter = 0

        def one_signup() -> float:
            nonlocal counter
            counter += 1
            started = time.perf_counter()
            organization_signup(
                organization_name=f"Bench {counter}",
                slug=f"bench-{counter}",
                email=f"owner{counter}@bench.example",
                password="bench-passphrase-123",
            )
            return (time.perf_counter() - started) * 1000

        print(f"sign-up time (ms), {SAMPLES} samples per level, database {name}")
        print(f"{'existing orgs':>14} {'p50':>8} {'p95':>8} {'max':>8}")
        for level in LEVELS:
            while Organization.objects.exclude(schema_name="public").count() < level:
                one_signup()
            samples = [one_signup() for _ in range(SAMPLES)]
            print(f"{level:>14} {statistics.median(samples):8.1f} {percentile(samples, 95):8.1f} {max(samples):8.1f}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        dbadmin.drop_database(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
