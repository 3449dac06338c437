"""Names that travel through the channel layer."""

from __future__ import annotations

import hashlib


def group_name(schema: str, page: str, object_id: int | None = None) -> str:
    # Primary keys repeat across organization schemas, so the schema is part of every group name.
    return f"t.{schema}.{page}" + (f".{object_id}" if object_id is not None else "")


def session_digest(session_key: str) -> str:
    """Stands for a session key in channel layer messages: the key itself never leaves the session store."""
    return hashlib.sha256(f"ezflow.realtime.session:{session_key}".encode()).hexdigest()
