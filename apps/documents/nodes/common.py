"""What the document steps share: the file parameter (an expression giving a file of the item), reading its bytes
within the size limit, and saving what a step makes as a file of the run."""

from __future__ import annotations

import posixpath
from typing import Any

from apps.documents import limits
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.engine.files import file_ref_at
from apps.flows.nodes.base import Param, t

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "hwpx": "application/hwp+zip",
    "pdf": "application/pdf",
    "csv": "text/csv",
}


def file_param(label: dict | None = None, default: str = "file") -> Param:
    return Param(
        "file_field",
        "string",
        label or t("File field", "파일 필드"),
        required=True,
        default=default,
        expressions=False,
        help=t(
            "The field of the item that holds the file (a dotted path such as attachments.0).",
            "파일이 든 항목 필드입니다 (attachments.0 같은 점 경로).",
        ),
    )


def output_field_param(default: str = "file") -> Param:
    return Param(
        "output_field",
        "string",
        t("Put the new file in field", "새 파일을 넣을 필드"),
        default=default,
        expressions=False,
    )


def file_name_param(default: str = "") -> Param:
    return Param(
        "file_name",
        "string",
        t("File name", "파일 이름"),
        default=default,
        help=t("Empty: named after the original file.", "비워 두면 원래 파일 이름을 따릅니다."),
    )


def read_file(ctx, item: dict, field: str) -> tuple[bytes, dict]:
    """The bytes of the file in `field` of the item, and its reference."""
    ref = file_ref_at(item, field or "file")
    size = ref.get("size")
    if isinstance(size, int) and size > limits.MAX_FILE_BYTES:
        raise NodeError(
            gettext_noop("The file “%(name)s” is too large (%(size)s MB); documents up to %(limit)s MB can be read."),
            code="file_too_large",
            values={"name": str(ref.get("name") or ""), "size": f"{size / 1048576:.1f}", "limit": f"{limits.MAX_FILE_BYTES / 1048576:g}"},
        )
    return ctx.file_read(ref), ref


def save_file(ctx, data: bytes, *, name: str, mime_type: str) -> dict:
    return ctx.file_save(data, name=name, mime_type=mime_type)


def derived_name(ref: dict | None, extension: str, *, given: Any = "", suffix: str = "") -> str:
    """The output file's name: the one given, or the input's name with a new extension (report.xlsx → report.pdf)."""
    name = str(given or "").strip()
    if name:
        if not posixpath.splitext(name)[1] and extension:
            name = f"{name}.{extension}"
        return name
    base = posixpath.splitext(str((ref or {}).get("name") or "document"))[0] or "document"
    return f"{base}{suffix}.{extension}" if extension else f"{base}{suffix}"


def columns_param() -> Param:
    return Param(
        "columns",
        "list",
        t("Columns (empty: every field)", "열 (비우면 모든 필드)"),
        default=[],
        expressions=False,
        help=t("The fields to write, in this order.", "이 순서로 쓸 필드입니다."),
    )


def max_rows_param() -> Param:
    return Param(
        "max_rows",
        "integer",
        t("At most this many rows", "최대 행 수"),
        default=limits.DEFAULT_MAX_ROWS,
        minimum=1,
        maximum=limits.MAX_ROWS,
        expressions=False,
    )
