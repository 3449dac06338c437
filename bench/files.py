"""Stored files: how fast `file_save` and `file_read` move bytes, on the local folder and on an S3-compatible server.

Creates a fresh database with one organization, then saves and reads back files of BENCH_FILE_SIZES MB
(default 1,10,25) BENCH_SAMPLES times (5) each, and prints MB/s (median). The S3 mode uses moto's server on
127.0.0.1 (a stand-in: a real bucket's numbers depend on its network). Run with `make bench BENCH=files`.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
import uuid

from bench.common import setup_django

SIZES = [int(x) for x in os.environ.get("BENCH_FILE_SIZES", "1,10,25").split(",")]
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))


def measure(label: str) -> None:
    from apps.files.services import file_read, file_save

    print(f"{label}:")
    print(f"{'MB':>6} {'save MB/s':>10} {'read MB/s':>10}")
    for size in SIZES:
        payload = os.urandom(size * 1024 * 1024)
        saves, reads = [], []
        for _ in range(SAMPLES):
            started = time.perf_counter()
            ref = file_save(data=payload, name="bench.bin", run_id=1)
            saves.append(size / (time.perf_counter() - started))
            started = time.perf_counter()
            assert len(file_read(ref)) == len(payload)
            reads.append(size / (time.perf_counter() - started))
        print(f"{size:>6} {statistics.median(saves):10.1f} {statistics.median(reads):10.1f}", flush=True)


def main() -> int:
    from ezflow_site import dbadmin

    server_url = os.environ["DATABASE_URL"]
    name = f"ezflow_bench_{uuid.uuid4().hex[:8]}"
    os.environ["DATABASE_URL"] = dbadmin.create_database(server_url, name)
    folder = tempfile.mkdtemp(prefix="ezflow-bench-files-")
    os.environ["EZFLOW_FILES_DIR"] = folder
    os.environ["EZFLOW_FILES_MAX_FILE_BYTES"] = str(max(SIZES) * 1024 * 1024)
    os.environ["EZFLOW_FILES_MAX_TOTAL_BYTES"] = str(100 * 1024**3)
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.services.platform import public_site_ensure
    from apps.accounts.services.signup import organization_signup

    server = None
    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_site_ensure()
        organization = organization_signup(
            organization_name="Bench", slug="bench-files", email="owner@bench.example", password="bench-passphrase-123"
        ).organization
        connection.set_tenant(organization)
        measure(f"local folder ({folder})")

        import boto3
        from moto.server import ThreadedMotoServer

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s").create_bucket(
            Bucket="bench"
        )
        settings.EZFLOW_FILES_STORAGE = "s3"
        settings.EZFLOW_FILES_S3_BUCKET = "bench"
        settings.EZFLOW_FILES_S3_ENDPOINT_URL = endpoint
        settings.EZFLOW_FILES_S3_REGION = "us-east-1"
        settings.EZFLOW_FILES_S3_ACCESS_KEY_ID = "k"
        settings.EZFLOW_FILES_S3_SECRET_ACCESS_KEY = "s"
        settings.EZFLOW_FILES_S3_ADDRESSING_STYLE = "path"
        measure("S3 API (moto server on 127.0.0.1)")
    finally:
        from django.db import connections

        if server is not None:
            server.stop()
        connections.close_all()
        dbadmin.drop_database(server_url, name)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
