"""The product's file store for the engine: apps.files in the current organization's schema, its errors said as
step errors (English template and values, translated for each reader like every other step error)."""

from __future__ import annotations

from typing import BinaryIO

from apps.files import services
from apps.files.errors import FilesError
from apps.flows.engine.errors import NodeError


def _step_error(exc: FilesError) -> NodeError:
    return NodeError(exc.template, code=exc.code, values=exc.values)


class OrganizationFiles:
    def save(self, *, data, name, mime_type=None, run_id=None, flow_id=None) -> dict:
        try:
            return services.file_save(data=data, name=name, mime_type=mime_type, run_id=run_id, flow_id=flow_id)
        except FilesError as exc:
            raise _step_error(exc) from None

    def read(self, ref) -> bytes:
        try:
            return services.file_read(ref)
        except FilesError as exc:
            raise _step_error(exc) from None

    def open(self, ref) -> BinaryIO:
        try:
            return services.file_open(ref)
        except FilesError as exc:
            raise _step_error(exc) from None
