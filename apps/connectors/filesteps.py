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
from apps.flows.nodes.registry import register

MAX_DOWNLOAD = files.READ_LIMIT


class Session:
    def list(self, folder: str) -> list[dict]: ...

    def read(self, path: str, limit: int) -> BinaryIO:
        """The file's bytes in a buffer positioned at its start (apps.connectors.files.spooled); the caller closes it."""

    def write(self, path: str, data: bytes) -> None: ...

    def close(self) -> None: ...


class Server:
    credential_type: ClassVar[str]
    name: ClassVar[str]  # shown in messages ("SFTP"), the same in every language

    def open(self, data: dict, *, allow_hosts, timeout: float) -> Session: ...


# How a file server's refusals read, the same for every server (catalog/ftp.py and catalog/sftp.py say which applies).
_PATH_ERRORS = {
    "missing": ("not_found", gettext_noop("There is no file or folder “%(path)s” on the server.")),
    # FTP's 550 means either: the server does not say which.
    "missing_or_denied": (
        "not_found",
        gettext_noop("The server has no file or folder “%(path)s”, or does not allow this user to use it (%(reason)s)."),
    ),
    "denied": ("permission_denied", gettext_noop("The server does not allow this user to use “%(path)s”.")),
    "refused": ("file_server_error", gettext_noop("The server refused to use “%(path)s”: %(reason)s")),
}


def path_error(what: str, path: str, reason: object = "") -> NodeError:
    """A refusal about one path: `what` is missing, missing_or_denied, denied or refused."""
    code, template = _PATH_ERRORS[what]
    return NodeError(template, code=code, values={"path": path, "reason": str(reason)[:200]})


def unreachable_error(server: Server, exc: BaseException) -> NodeError:
    """The server could not be reached or the session broke; code `<credential type>_unreachable`."""
    return NodeError(
        gettext_noop("Could not connect to the %(server)s server: %(reason)s"),
        code=f"{server.credential_type}_unreachable",
        values={"server": server.name, "reason": str(exc)[:300] or type(exc).__name__},
    )


@contextlib.contextmanager
def refusals(path: str, catch: tuple[type[BaseException], ...], explain, *, cleanup=None):
    """Turns the driver's exceptions (`catch`) in the block into explain(exc, path); a NodeError passes as it is.
    `cleanup` runs before either leaves the block (e.g. closing a half-filled buffer)."""
    try:
        yield
    except NodeError:
        if cleanup is not None:
            cleanup()
        raise
    except catch as exc:
        if cleanup is not None:
            cleanup()
        raise explain(exc, path) from None


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


def register_file_server_steps(server: Server, *, aliases: tuple[str, ...]) -> tuple[type[ListStep], type[DownloadStep], type[UploadStep]]:
    """Registers a server's three steps (`<kind>.list`, `<kind>.download`, `<kind>.upload`) with its `Server`."""
    kind, name = server.credential_type, server.name

    class List(ListStep):
        key = f"{kind}.list"
        label = t(f"{name}: list files", f"{name}: 파일 목록")
        description = t(
            f"One item per file or folder in a folder of an {name} server.", f"{name} 서버 폴더의 파일과 폴더마다 항목 하나를 냅니다."
        )
        params = ListStep.make_params(kind)

    class Download(DownloadStep):
        key = f"{kind}.download"
        label = t(f"{name}: download a file", f"{name}: 파일 내려받기")
        description = t(
            f"Reads a file from an {name} server into the item's `file`.", f"{name} 서버의 파일을 읽어 항목의 `file`에 넣습니다."
        )
        params = DownloadStep.make_params(kind)

    class Upload(UploadStep):
        key = f"{kind}.upload"
        label = t(f"{name}: upload a file", f"{name}: 파일 올리기")
        description = t(f"Saves a file or text from each item on an {name} server.", f"항목마다 파일이나 글을 {name} 서버에 저장합니다.")
        params = UploadStep.make_params(kind)

    steps = []
    for cls in (List, Download, Upload):
        cls.server, cls.aliases = server, aliases
        cls.__name__ = cls.__qualname__ = f"{name.title()}{cls.__name__}"
        steps.append(register(cls))
    return tuple(steps)
