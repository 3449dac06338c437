"""List, upload and download steps of file servers, written once; catalog/sftp.py and catalog/ftp.py give a `Server`
(open a session for a credential: list a folder, read a file, write a file) and register subclasses with their keys.
One connection serves all the items of a step."""

from __future__ import annotations

import contextlib
import fnmatch
import posixpath
from typing import BinaryIO, ClassVar

from apps.connectors import files
from apps.flows.credential_kinds import t
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param

MAX_DOWNLOAD = files.READ_LIMIT


class Session:
    def list(self, folder: str) -> list[dict]: ...

    def read(self, path: str, limit: int) -> BinaryIO:
        """The file's bytes in a buffer positioned at its start (apps.connectors.files.spooled); the caller closes it."""

    def write(self, path: str, data: bytes) -> None: ...

    def close(self) -> None: ...


class Server:
    credential_type: ClassVar[str]

    def open(self, data: dict, *, allow_hosts, timeout: float) -> Session: ...


def clean_path(value) -> str:
    path = str(value or "").strip()
    if not path or "\x00" in path or "\n" in path or "\r" in path:
        raise NodeError(gettext_noop("Write the path on the server, e.g. /upload/report.xlsx."), code="bad_path")
    return path


def _credential_param(kind: str) -> Param:
    return Param("credential", "credential", t("Connection", "연결"), required=True, credential_type=kind, expressions=False)


class _FileStep(NodeType):
    server: ClassVar[Server]
    category = "action"
    icon = "folder"

    def _each_with_session(self, ctx, work) -> list[dict]:
        items = list(ctx.each())
        if not items:
            return []
        data = ctx.credential(items[0][2]["credential"], self.server.credential_type)
        session = self.server.open(data, allow_hosts=ctx.host.http_allow_hosts, timeout=min(30.0, max(ctx.seconds_left(), 1.0)))
        out: list[dict] = []
        try:
            for index, item, params in items:
                ctx.check_deadline()
                try:
                    out.extend(work(session, item, params))
                except NodeError as error:
                    error.params.setdefault("item_index", index)
                    raise
        finally:
            with contextlib.suppress(Exception):
                session.close()
        return out


class ListStep(_FileStep):
    idempotent = True

    @classmethod
    def make_params(cls, kind: str) -> tuple[Param, ...]:
        return (
            _credential_param(kind),
            Param("folder", "string", t("Folder", "폴더"), default="/", help=t("e.g. /outbox", "예: /outbox")),
            Param(
                "pattern",
                "string",
                t("Only names like", "이름 패턴"),
                default="",
                help=t("e.g. *.csv; empty: everything in the folder.", "예: *.csv. 비워 두면 폴더의 모든 항목입니다."),
            ),
        )

    def execute(self, ctx):
        def work(session, item, params):
            folder = clean_path(params.get("folder") or "/")
            pattern = str(params.get("pattern") or "").strip()
            entries = session.list(folder)
            if pattern:
                entries = [entry for entry in entries if fnmatch.fnmatch(entry["name"], pattern)]
            return sorted(entries, key=lambda entry: entry["name"])

        return {"main": self._each_with_session(ctx, work)}


class DownloadStep(_FileStep):
    idempotent = True

    @classmethod
    def make_params(cls, kind: str) -> tuple[Param, ...]:
        return (
            _credential_param(kind),
            Param(
                "path",
                "string",
                t("File path", "파일 경로"),
                required=True,
                help=t("e.g. /outbox/{{ json.name }}", "예: /outbox/{{ json.name }}"),
            ),
        )

    def execute(self, ctx):
        def work(session, item, params):
            path = clean_path(params.get("path"))
            with session.read(path, MAX_DOWNLOAD) as data:
                ref = ctx.file_save(data, name=posixpath.basename(path) or "file")
            return [{**item, "path": path, "file": ref}]

        return {"main": self._each_with_session(ctx, work)}


class UploadStep(_FileStep):
    side_effects = True

    @classmethod
    def make_params(cls, kind: str) -> tuple[Param, ...]:
        return (
            _credential_param(kind),
            Param(
                "path",
                "string",
                t("Save as (path)", "저장할 경로"),
                required=True,
                help=t(
                    "The full path on the server; a path ending in / keeps the file's own name. An existing file is replaced.",
                    "서버의 전체 경로입니다. /로 끝나면 파일 이름을 그대로 씁니다. 같은 이름의 파일은 바뀝니다.",
                ),
            ),
            Param(
                "content",
                "string",
                t("File or text", "파일 또는 글"),
                required=True,
                default="{{ json.file }}",
                help=t(
                    "The field that holds the file (e.g. {{ json.attachments[0] }}), or text to save.",
                    "파일이 들어 있는 필드(예: {{ json.attachments[0] }}) 또는 저장할 글입니다.",
                ),
            ),
        )

    def execute(self, ctx):
        def work(session, item, params):
            data, own_name = files.content_of(ctx, params.get("content"))
            path = clean_path(params.get("path"))
            if path.endswith("/"):
                if not own_name:
                    raise NodeError(gettext_noop("Text has no file name: end the path with one, e.g. /inbox/note.txt."), code="bad_path")
                path += posixpath.basename(own_name)
            session.write(path, data)
            return [{"path": path, "name": posixpath.basename(path), "size": len(data)}]

        return {"main": self._each_with_session(ctx, work)}
