"""Google Drive v3 (www.googleapis.com/drive/v3, /upload/drive/v3): files.list with `q` ('<id>' in parents, trashed,
name contains) and pageToken, files.get (metadata, `alt=media` bytes), files.export for Google documents, and the
multipart/related upload; errors in Google's {"error": {"code", "message", "status", "errors": [{"reason"}]}} shape.
Shares the OAuth2 provider of FakeGoogle (its access tokens)."""

from __future__ import annotations

import email
import email.policy
import json
import re

from tests.connectors.fakes.base import FakeService


def _error(code, status, message, reason):
    return code, {}, {"error": {"code": code, "message": message, "status": status, "errors": [{"reason": reason, "message": message}]}}


class FakeDrive(FakeService):
    def __init__(self, oauth):
        super().__init__()
        self.oauth = oauth
        self.files: dict[str, dict] = {}  # id → metadata (+ "_data" bytes)
        self.uploads: list[dict] = []
        self.add("root", "My Drive", "application/vnd.google-apps.folder", parent=None)
        routes_class, fake = type(self.routes), self

        class Dispatch(routes_class):
            def get(self, path, default=None):
                found = routes_class.get(self, path, None)
                if found is None and (path.startswith("/drive/v3/") or path.startswith("/upload/drive/v3/")):
                    return fake._dispatch
                return found if found is not None else default

        self.routes = Dispatch(self.routes)

    def add(self, file_id, name, mime_type, *, parent="root", data=b"", trashed=False):
        self.files[file_id] = {
            "id": file_id,
            "name": name,
            "mimeType": mime_type,
            "parents": [parent] if parent else [],
            "modifiedTime": "2026-12-07T01:00:00.000Z",
            "createdTime": "2026-12-07T00:00:00.000Z",
            "webViewLink": f"https://drive.google.com/file/d/{file_id}/view",
            "trashed": trashed,
            "_data": data,
            **({"size": str(len(data))} if not mime_type.startswith("application/vnd.google-apps") else {}),
        }
        return file_id

    def _public(self, entry):
        return {k: v for k, v in entry.items() if not k.startswith("_") and k != "trashed"}

    def _dispatch(self, request):
        import time

        token = self.bearer(request)
        if self.oauth.access_tokens.get(token, 0) <= time.time():
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "authError")
        path, query = request["path"], request["query"]
        if path == "/drive/v3/files" and request["method"] == "GET":
            return self._list(query)
        if path == "/upload/drive/v3/files" and request["method"] == "POST":
            return self._upload(request)
        match = re.fullmatch(r"/drive/v3/files/([^/]+)(/export)?", path)
        if match and request["method"] == "GET":
            entry = self.files.get(match.group(1))
            if entry is None or entry["trashed"]:
                return _error(404, "NOT_FOUND", f"File not found: {match.group(1)}.", "notFound")
            if match.group(2):
                if not entry["mimeType"].startswith("application/vnd.google-apps"):
                    return _error(403, "PERMISSION_DENIED", "Export only supports Docs Editors files.", "fileNotExportable")
                return 200, {"Content-Type": query.get("mimeType", "")}, b"%PDF-1.7 exported " + entry["name"].encode()
            if query.get("alt") == "media":
                if entry["mimeType"].startswith("application/vnd.google-apps"):
                    return _error(
                        403, "PERMISSION_DENIED", "Only files with binary content can be downloaded. Use Export.", "fileNotDownloadable"
                    )
                return 200, {"Content-Type": entry["mimeType"]}, entry["_data"]
            return 200, {}, self._public(entry)
        return 404, {}, b"not found"

    def _list(self, query):
        q = query.get("q", "")
        parent = re.search(r"'([^']+)' in parents", q)
        contains = re.search(r"name contains '((?:[^'\\]|\\.)*)'", q)
        found = [
            f
            for f in self.files.values()
            if f["id"] != "root"
            and (parent is None or parent.group(1) in f["parents"])
            and ("trashed = false" not in q or not f["trashed"])
            and (contains is None or contains.group(1).replace("\\'", "'") in f["name"])
        ]
        found.sort(key=lambda f: (f["mimeType"] != "application/vnd.google-apps.folder", f["name"]))
        start = int(query.get("pageToken") or 0)
        size = int(query.get("pageSize") or 100)
        page = found[start : start + size]
        body = {"kind": "drive#fileList", "files": [self._public(f) for f in page]}
        if start + size < len(found):
            body["nextPageToken"] = str(start + size)
        return 200, {}, body

    def _upload(self, request):
        if request["query"].get("uploadType") != "multipart":
            return _error(400, "INVALID_ARGUMENT", "Invalid uploadType.", "invalid")
        content_type = request["headers"].get("Content-Type", "")
        if not content_type.startswith("multipart/related; boundary="):
            return _error(400, "INVALID_ARGUMENT", "Bad content type for multipart upload.", "badContent")
        message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"], policy=email.policy.HTTP)
        parts = list(message.iter_parts())
        if len(parts) != 2 or parts[0].get_content_type() != "application/json":
            return _error(400, "INVALID_ARGUMENT", "Malformed multipart body.", "badContent")
        metadata = json.loads(parts[0].get_payload(decode=True))
        data = parts[1].get_payload(decode=True)
        parent = (metadata.get("parents") or ["root"])[0]
        if parent not in self.files:
            return _error(404, "NOT_FOUND", f"File not found: {parent}.", "notFound")
        file_id = f"1Up{len(self.uploads):05d}xyzABCDEFGH"
        self.add(file_id, metadata["name"], metadata.get("mimeType") or parts[1].get_content_type(), parent=parent, data=data)
        self.uploads.append({"metadata": metadata, "data": data})
        return 200, {}, self._public(self.files[file_id])
