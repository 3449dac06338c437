"""Slack's Web API file upload as it answers: files.getUploadURLExternal (form: filename, length) → {"ok", "upload_url",
"file_id"}; the bytes POSTed to that address → 200 "OK - <length>"; files.completeUploadExternal (JSON: files [{id,
title}], channel_id, initial_comment) → {"ok", "files": [...]}. Refusals are HTTP 200 with {"ok": false, "error"}."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService

TOKEN = "xoxb-1111-2222-slacktesttoken"
CHANNELS = {"C0123ABCD"}


class FakeSlack(FakeService):
    def __init__(self):
        super().__init__()
        self.pending: dict[str, dict] = {}  # file id -> {"name", "length", "bytes"}
        self.shared: list[dict] = []
        self.routes["/files.getUploadURLExternal"] = self._ticket
        self.routes["/files.completeUploadExternal"] = self._complete
        original = self.routes.get

        def route(path, default=None):
            answer = original(path, None)
            if answer is not None:
                return answer
            if path.startswith("/upload/"):
                return lambda request: self._upload(path.rsplit("/", 1)[1], request)
            return default

        self.routes.get = route  # type: ignore[method-assign]

    def _authorized(self, request) -> bool:
        return self.bearer(request) == TOKEN

    def _ticket(self, request):
        if not self._authorized(request):
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        form = self.form(request)
        if not form.get("filename") or not form.get("length", "").isdigit():
            return 200, {}, {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0{len(self.pending) + 1:08d}"
        self.pending[file_id] = {"name": form["filename"], "length": int(form["length"]), "bytes": None}
        return 200, {}, {"ok": True, "upload_url": self.url(f"/upload/v1/{file_id}"), "file_id": file_id}

    def _upload(self, file_id, request):
        if file_id not in self.pending or "Authorization" in request["headers"]:
            return 400, {"Content-Type": "text/plain"}, b"bad upload"
        self.pending[file_id]["bytes"] = request["body"]
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(request['body'])}".encode()

    def _complete(self, request):
        if not self._authorized(request):
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        body = self.json_body(request)
        if body.get("channel_id") not in CHANNELS:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        files = []
        for entry in body.get("files") or []:
            pending = self.pending.get(entry.get("id"))
            if pending is None or pending["bytes"] is None or len(pending["bytes"]) != pending["length"]:
                return 200, {}, {"ok": False, "error": "file_upload_incomplete"}
            files.append({"id": entry["id"], "title": entry.get("title") or pending["name"], "name": pending["name"]})
        self.shared.append({**body, "contents": [self.pending[f["id"]]["bytes"] for f in files]})
        return 200, {}, {"ok": True, "files": files}
