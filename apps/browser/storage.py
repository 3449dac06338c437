"""Files a browser step keeps (screenshots, downloads) go to the run's file storage (apps/files), never elsewhere."""

from __future__ import annotations


def _run_ids(ctx) -> tuple:
    scope = getattr(ctx, "_scope_base", {}) or {}
    return (scope.get("run") or {}).get("id"), (scope.get("flow") or {}).get("id")


def store_file(ctx, data: bytes, *, name: str, mime_type: str) -> dict:
    from apps.files.services import file_save

    run_id, flow_id = _run_ids(ctx)
    return file_save(data=data, name=name, mime_type=mime_type, run_id=run_id, flow_id=flow_id)
