"""Stored files of items (apps/files, docs/files.md)."""

from .env import DATA_DIR, env

# "local": a folder per organization under EZFLOW_FILES_DIR (embedded mode); "s3": an S3-compatible bucket
# (scale-out mode: every web and worker process must see the same bytes).
EZFLOW_FILES_STORAGE = env.str("EZFLOW_FILES_STORAGE", default="local")
EZFLOW_FILES_DIR = env.str("EZFLOW_FILES_DIR", default=str(DATA_DIR / "files"))
EZFLOW_FILES_S3_BUCKET = env.str("EZFLOW_FILES_S3_BUCKET", default="")
EZFLOW_FILES_S3_ENDPOINT_URL = env.str("EZFLOW_FILES_S3_ENDPOINT_URL", default="") or None
EZFLOW_FILES_S3_REGION = env.str("EZFLOW_FILES_S3_REGION", default="") or None
EZFLOW_FILES_S3_ACCESS_KEY_ID = env.str("EZFLOW_FILES_S3_ACCESS_KEY_ID", default="") or None
EZFLOW_FILES_S3_SECRET_ACCESS_KEY = env.str("EZFLOW_FILES_S3_SECRET_ACCESS_KEY", default="") or None
EZFLOW_FILES_S3_PREFIX = env.str("EZFLOW_FILES_S3_PREFIX", default="files")
EZFLOW_FILES_S3_ADDRESSING_STYLE = env.str("EZFLOW_FILES_S3_ADDRESSING_STYLE", default="auto")

# Limits per organization; an organization's own values (set by platform staff) replace them.
EZFLOW_FILES_MAX_FILE_BYTES = env.int("EZFLOW_FILES_MAX_FILE_BYTES", default=25 * 1024 * 1024)
EZFLOW_FILES_MAX_TOTAL_BYTES = env.int("EZFLOW_FILES_MAX_TOTAL_BYTES", default=2 * 1024 * 1024 * 1024)
# A file no run keeps (an editor's step test, a listened webhook call) is deleted after this many days.
EZFLOW_FILES_UNATTACHED_DAYS = env.int("EZFLOW_FILES_UNATTACHED_DAYS", default=7)
# Download links (/files/<signed token>) stop working after this many seconds.
EZFLOW_FILES_LINK_SECONDS = env.int("EZFLOW_FILES_LINK_SECONDS", default=3600)
# Bodies of multipart/form-data webhook calls (uploads) may be this large; other bodies keep Django's limit.
EZFLOW_FILES_WEBHOOK_MAX_BYTES = env.int("EZFLOW_FILES_WEBHOOK_MAX_BYTES", default=30 * 1024 * 1024)
