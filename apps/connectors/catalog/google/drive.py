"""Google Drive: list the files of a folder, upload a file from the item (multipart upload: JSON metadata and the
bytes in one multipart/related request) and download one into a stored file (Google Docs, Sheets and Slides are
exported as PDF, Excel or PowerPoint). https://developers.google.com/drive/api/reference/rest/v3"""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import quote

from apps.connectors import n8n
from apps.connectors.catalog.google.common import GoogleOAuth2, google_error
from apps.connectors.http import Credential, Service, call
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.engine.files import file_ref_at
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

DRIVE = Service("google_drive", "Google Drive", "https://www.googleapis.com", google_error)
KIND = "google_drive"
MAX_LIST = 1000
MAX_FILE_BYTES = 25 * 1024 * 1024
FIELDS = "id,name,mimeType,size,modifiedTime,createdTime,parents,webViewLink"
# Google's own documents have no bytes of their own: they are exported.
EXPORTS = {
    "application/vnd.google-apps.document": ("application/pdf", ".pdf"),
    "application/vnd.google-apps.spreadsheet": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "application/vnd.google-apps.presentation": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    "application/vnd.google-apps.drawing": ("application/pdf", ".pdf"),
}


@register_credential_kind
class GoogleDriveAccount(GoogleOAuth2):
    key = KIND
    label = t("Google Drive (sign in with Google)", "Google 드라이브(Google 로그인)")
    scopes = ("https://www.googleapis.com/auth/drive",)

    @property
    def test_url(self) -> str:
        return DRIVE.url("/drive/v3/about?fields=user")


CREDENTIAL = Param(
    "credential", "credential", t("Google Drive account", "Google 드라이브 계정"), required=True, credential_type=KIND, expressions=False
)
_FOLDER_URL = re.compile(r"/folders/([A-Za-z0-9_-]+)")
_FILE_URL = re.compile(r"/(?:file/d|document/d|spreadsheets/d|presentation/d)/([A-Za-z0-9_-]+)|[?&]id=([A-Za-z0-9_-]+)")
_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def drive_id(value, *, folder: bool) -> str:
    """An id from a pasted address (…/folders/<id>, …/file/d/<id>/view, ?id=<id>) or the id itself; "root" is My Drive."""
    text = str(value or "").strip()
    if folder and text in ("", "root"):
        return "root"
    found = (_FOLDER_URL if folder else _FILE_URL).search(text)
    if found:
        return next(g for g in found.groups() if g)
    if _ID.match(text):
        return text
    raise NodeError(
        gettext_noop("“%(value)s” is not a Google Drive address or ID. Paste the address of the open folder or file, or its ID."),
        code="bad_drive_id",
        values={"value": text[:200]},
    )


def _query_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def file_item(entry: dict) -> dict:
    return {
        "id": entry.get("id"),
        "name": entry.get("name"),
        "mime_type": entry.get("mimeType"),
        "size": int(entry["size"]) if str(entry.get("size") or "").isdigit() else None,
        "modified": entry.get("modifiedTime"),
        "created": entry.get("createdTime"),
        "folder": (entry.get("parents") or [None])[0],
        "link": entry.get("webViewLink"),
        "is_folder": entry.get("mimeType") == "application/vnd.google-apps.folder",
    }


@register
class ListFiles(NodeType):
    key = "google_drive.list_files"
    category = "action"
    icon = "google_drive"
    per_item = False
    label = t("List Google Drive files", "Google 드라이브 파일 목록")
    description = t(
        "One item per file in a Google Drive folder (not in the trash): id, name, type, size, modified time, link.",
        "Google 드라이브 폴더의 파일마다 항목 하나를 만듭니다(휴지통 제외): ID, 이름, 종류, 크기, 수정 시각, 링크.",
    )
    params = (
        CREDENTIAL,
        Param(
            "folder",
            "string",
            t("Folder (address or ID)", "폴더(주소 또는 ID)"),
            default="root",
            help=t(
                "Paste the address of the open folder; empty or root: My Drive.",
                "열린 폴더의 주소를 붙여 넣으세요. 비우거나 root면 내 드라이브입니다.",
            ),
        ),
        Param("name_contains", "string", t("Name contains", "이름에 포함"), default=""),
        Param("max_results", "integer", t("At most", "최대 개수"), default=100, minimum=1, maximum=MAX_LIST),
    )

    def execute(self, ctx):
        params = ctx.params()
        credential = Credential(ctx, params["credential"], KIND)
        limit = min(max(int(params.get("max_results") or 100), 1), MAX_LIST)
        conditions = [f"'{_query_text(drive_id(params.get('folder'), folder=True))}' in parents", "trashed = false"]
        if str(params.get("name_contains") or "").strip():
            conditions.append(f"name contains '{_query_text(str(params['name_contains']).strip())}'")
        out, page = [], None
        while len(out) < limit:
            query = {
                "q": " and ".join(conditions),
                "pageSize": str(min(limit - len(out), 1000)),
                "fields": f"nextPageToken,files({FIELDS})",
                "orderBy": "folder,name",
                "pageToken": page,
            }
            answer = call(ctx, DRIVE, "GET", "/drive/v3/files", credential=credential, query=query).json() or {}
            out.extend(file_item(entry) for entry in answer.get("files") or [] if isinstance(entry, dict))
            page = answer.get("nextPageToken")
            if not page:
                break
        return {"main": out[:limit]}


@register
class UploadFile(NodeType):
    key = "google_drive.upload_file"
    n8n = (N8nMapping(("n8n-nodes-base.googleDrive",), n8n.drive_upload, when=n8n.is_drive_upload),)
    category = "action"
    icon = "google_drive"
    side_effects = True
    label = t("Upload to Google Drive", "Google 드라이브에 올리기")
    description = t(
        "Uploads the file held by the item (e.g. an e-mail attachment or a generated report) into a Google Drive folder.",
        "항목에 담긴 파일(메일 첨부, 만든 보고서 등)을 Google 드라이브 폴더에 올립니다.",
    )
    params = (
        CREDENTIAL,
        Param("file_field", "string", t("Field with the file", "파일이 든 필드"), default="file", expressions=False),
        Param("folder", "string", t("Folder (address or ID)", "폴더(주소 또는 ID)"), default="root"),
        Param("file_name", "string", t("File name (empty: keep it)", "파일 이름(비우면 그대로)"), default=""),
        Param(
            "output_field", "string", t("Put the Drive file in", "드라이브 파일 정보를 넣을 필드"), default="drive_file", expressions=False
        ),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            ref = file_ref_at(item, params.get("file_field") or "file")
            data = ctx.file_read(ref)
            name = str(params.get("file_name") or "").strip() or str(ref.get("name") or "file")
            mime_type = str(ref.get("mime_type") or "application/octet-stream")
            metadata = {"name": name, "parents": [drive_id(params.get("folder"), folder=True)], "mimeType": mime_type}
            boundary = "ezflow-" + uuid.uuid4().hex
            body = (
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode()
                + json.dumps(metadata, ensure_ascii=False).encode()
                + f"\r\n--{boundary}\r\nContent-Type: {mime_type}\r\n\r\n".encode()
                + data
                + f"\r\n--{boundary}--\r\n".encode()
            )
            answer = call(
                ctx,
                DRIVE,
                "POST",
                "/upload/drive/v3/files",
                credential=credential,
                query={"uploadType": "multipart", "fields": FIELDS, "supportsAllDrives": "true"},
                headers={"Content-Type": f"multipart/related; boundary={boundary}"},
                content=body,
            ).json()
            result = copy_item(item)
            set_path(result, params.get("output_field") or "drive_file", file_item(answer or {}))
            out.append(result)
        return {"main": out}


@register
class DownloadFile(NodeType):
    key = "google_drive.download_file"
    n8n = (
        N8nMapping(
            ("n8n-nodes-base.googleDrive",), n8n.drive_download, when=n8n.operation_in("download", resource="file", default="upload")
        ),
    )
    category = "action"
    icon = "google_drive"
    label = t("Download from Google Drive", "Google 드라이브에서 내려받기")
    description = t(
        "Downloads a Google Drive file into the item's file field; Google Docs, Sheets and Slides come as PDF, Excel and PowerPoint.",
        "Google 드라이브 파일을 항목의 파일 필드로 내려받습니다. Google 문서·시트·프레젠테이션은 PDF·엑셀·파워포인트로 받습니다.",
    )
    params = (
        CREDENTIAL,
        Param("file", "string", t("File (address or ID)", "파일(주소 또는 ID)"), required=True, default="{{ json.id }}"),
        Param("output_field", "string", t("Put the file in", "파일을 넣을 필드"), default="file", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], KIND)
            file_id = drive_id(params.get("file"), folder=False)
            path = f"/drive/v3/files/{quote(file_id, safe='')}"
            meta = call(ctx, DRIVE, "GET", path, credential=credential, query={"fields": FIELDS, "supportsAllDrives": "true"}).json() or {}
            mime_type, name = str(meta.get("mimeType") or ""), str(meta.get("name") or file_id)
            if mime_type == "application/vnd.google-apps.folder":
                raise NodeError(
                    gettext_noop("“%(name)s” is a folder; list its files instead."), code="drive_is_folder", values={"name": name}
                )
            if mime_type in EXPORTS:
                mime_type, suffix = EXPORTS[mime_type]
                name = name if name.lower().endswith(suffix) else name + suffix
                answer = call(
                    ctx, DRIVE, "GET", path + "/export", credential=credential, query={"mimeType": mime_type}, max_bytes=MAX_FILE_BYTES
                )
            else:
                answer = call(
                    ctx,
                    DRIVE,
                    "GET",
                    path,
                    credential=credential,
                    query={"alt": "media", "supportsAllDrives": "true"},
                    max_bytes=MAX_FILE_BYTES,
                )
            result = copy_item(item)
            set_path(result, params.get("output_field") or "file", ctx.file_save(answer.raw, name=name, mime_type=mime_type or None))
            out.append(result)
        return {"main": out}
