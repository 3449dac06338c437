"""Where the bytes live: a folder per organization (embedded mode) or an S3-compatible bucket (scale-out mode).

Keys start with the organization's schema (`org_acme/3f/3f2c…`), so two organizations never share a key; reading
always goes through the organization's own StoredFile row first (apps.files.selectors.file_get)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def files_storage() -> Storage:
    if settings.EZFLOW_FILES_STORAGE == "s3":
        return _s3_storage(
            settings.EZFLOW_FILES_S3_BUCKET,
            settings.EZFLOW_FILES_S3_ENDPOINT_URL,
            settings.EZFLOW_FILES_S3_REGION,
            settings.EZFLOW_FILES_S3_ACCESS_KEY_ID,
            settings.EZFLOW_FILES_S3_SECRET_ACCESS_KEY,
            settings.EZFLOW_FILES_S3_PREFIX,
            settings.EZFLOW_FILES_S3_ADDRESSING_STYLE,
        )
    return _local_storage(str(settings.EZFLOW_FILES_DIR))


def storage_key(schema: str, file_id: str) -> str:
    return f"{schema}/{file_id[:2]}/{file_id}"


@lru_cache(maxsize=8)
def _local_storage(location: str) -> Storage:
    # Owner-only permissions: the folder holds every organization's files.
    return FileSystemStorage(location=location, file_permissions_mode=0o600, directory_permissions_mode=0o700)


@lru_cache(maxsize=8)
def _s3_storage(bucket, endpoint_url, region, access_key, secret_key, prefix, addressing_style) -> Storage:
    from botocore.config import Config
    from storages.backends.s3 import S3Storage

    return S3Storage(
        # A step waits for its file: a bucket that does not answer fails the step in seconds, not minutes.
        client_config=Config(
            s3={"addressing_style": None if addressing_style == "auto" else addressing_style},
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
        bucket_name=bucket,
        endpoint_url=endpoint_url,
        region_name=region,
        access_key=access_key,
        secret_key=secret_key,
        location=prefix,
        default_acl=None,
        querystring_auth=False,  # the bucket is never shown to people: members download through /files/<token>
        file_overwrite=True,  # keys are new UUIDs; no existence check before each write
        object_parameters={"ContentDisposition": "attachment"},
    )
