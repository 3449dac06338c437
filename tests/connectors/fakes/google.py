"""Google on one port: the OAuth2 endpoints (accounts.google.com/o/oauth2/v2/auth, oauth2.googleapis.com/token) and
the Sheets API v4 values endpoints (sheets.googleapis.com/v4/spreadsheets/{id}/values/{range}[:append]).

Like Google: a refresh answers without a refresh_token and the refresh token stays valid; errors are
{"error": {"code", "message", "status"}} (401 UNAUTHENTICATED for an unknown or expired token, 403 PERMISSION_DENIED
for a spreadsheet not shared with the account, 404 NOT_FOUND, 400 INVALID_ARGUMENT "Unable to parse range", 429
RESOURCE_EXHAUSTED); values come back as rows without trailing empty cells, and the answered range names the sheet
(quoted when it has spaces or other signs)."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import re
import time
from urllib.parse import parse_qs, unquote

from tests.connectors.fakes.base import FakeService
from tests.support.fake_oauth2 import FakeOAuth2Provider

CLIENT_ID = "1234567890-abc.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-secret"
SPREADSHEET_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
_CELLS = re.compile(r"^([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?$")


def _error(code: int, status: str, message: str, reason: str = "") -> tuple:
    error = {"code": code, "message": message, "status": status}
    if reason:
        error["errors"] = [{"message": message, "domain": "global", "reason": reason}]
    return code, {}, {"error": error}


def _col(letters: str) -> int:
    value = 0
    for letter in letters:
        value = value * 26 + ord(letter) - 64
    return value - 1


def _letters(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_]+", name) else "'" + name.replace("'", "''") + "'"


class FakeGoogle(FakeService):
    def __init__(self):
        super().__init__()
        self.oauth = FakeOAuth2Provider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self.authorize_queries: list[dict] = []
        # spreadsheet id → {sheet name: rows of cell texts}; the first sheet is the first key
        self.spreadsheets: dict[str, dict[str, list[list[str]]]] = {}
        self.shared: set[str] = set()
        self.routes["/o/oauth2/v2/auth"] = self._authorize
        self.routes["/token"] = self._token
        # Gmail: messages in the API's own shape (payload with headers and parts, body.data base64url)
        self.mailbox: list[dict] = []
        self.sent: list[email.message.EmailMessage] = []
        self.routes["/gmail/v1/users/me/messages/send"] = self._send
        self.routes["/gmail/v1/users/me/messages"] = self._list
        self.routes["/gmail/v1/users/me/profile"] = self._profile
        self.routes["/gmail/v1/users/me/labels"] = self._labels
        self.labels = [
            {"id": "INBOX", "name": "INBOX", "type": "system"},
            {"id": "UNREAD", "name": "UNREAD", "type": "system"},
            {"id": "STARRED", "name": "STARRED", "type": "system"},
            {"id": "Label_12", "name": "주문", "type": "user", "messageListVisibility": "show", "labelListVisibility": "labelShow"},
        ]
        self.granted_modify = True  # False: the token lacks gmail.modify (a connection made before it was asked)
        self.calendars: dict[str, list[dict]] = {"primary": []}
        routes_class, fake = type(self.routes), self

        class Dispatch(routes_class):
            def get(self, path, default=None):
                found = routes_class.get(self, path, None)
                if found is None and path.startswith("/v4/spreadsheets/"):
                    return fake._values
                if found is None and path.startswith("/calendar/v3/calendars/"):
                    return fake._events
                if found is None and path.startswith("/gmail/v1/users/me/messages/"):
                    return fake._message
                return found if found is not None else default

        self.routes = Dispatch(self.routes)

    # ---- OAuth2 -------------------------------------------------------------------------------------------------

    def _authorize(self, request):
        self.authorize_queries.append(request["query"])
        status, body, *rest = self.oauth._authorize(request["query"])
        return status, (rest[0] if rest else {}), body if body is not None else b""

    def _token(self, request):
        form = {k: v[0] for k, v in parse_qs(request["body"].decode(), keep_blank_values=True).items()}
        status, body, *rest = self.oauth._token(form, request["headers"].get("Authorization", ""))
        if status == 200 and form.get("grant_type") == "refresh_token":
            self.oauth.refresh_tokens.discard(body.pop("refresh_token"))  # Google keeps the old refresh token
            self.oauth.refresh_tokens.add(form["refresh_token"])
        return status, (rest[0] if rest else {}), body

    def expire_access_tokens(self):
        self.oauth.expire_access_tokens()

    # ---- Sheets -------------------------------------------------------------------------------------------------

    def add_spreadsheet(self, sheets: dict[str, list[list[str]]], spreadsheet_id: str = SPREADSHEET_ID) -> str:
        self.spreadsheets[spreadsheet_id] = {name: [list(r) for r in rows] for name, rows in sheets.items()}
        self.shared.add(spreadsheet_id)
        return spreadsheet_id

    def _resolve(self, book: dict, rng: str):
        """(sheet name, first col, first row, last col or None, last row or None) — rows/cols 0-based; None if bad."""
        if "!" in rng:
            name, _, cells = rng.rpartition("!")
        elif _CELLS.match(rng):
            name, cells = "", rng
        else:
            name, cells = rng, ""
        if name.startswith("'") and name.endswith("'"):
            name = name[1:-1].replace("''", "'")
        name = name or next(iter(book))
        if name not in book:
            return None
        found = _CELLS.match(cells) if cells else None
        if cells and not found:
            return None
        if not found:
            return name, 0, 0, None, None
        c1, r1, c2, r2 = found.groups()
        first_col, first_row = (_col(c1) if c1 else 0), (int(r1) - 1 if r1 else 0)
        if c2 is None and r2 is None:  # one cell
            return name, first_col, first_row, first_col, first_row
        return name, first_col, first_row, (_col(c2) if c2 else None), (int(r2) - 1 if r2 else None)

    def _values(self, request):
        raw_path = request["path"]
        append = raw_path.endswith(":append")
        parts = raw_path[: -len(":append")] if append else raw_path
        _, _, _, sheet_id, _, encoded = parts.split("/", 5)
        rng = unquote(encoded)
        if self.oauth.access_tokens.get(self.bearer(request), 0) <= time.time():
            return _error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
                "valid authentication credential.",
            )
        book = self.spreadsheets.get(sheet_id)
        if book is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        if sheet_id not in self.shared:
            return _error(403, "PERMISSION_DENIED", "The caller does not have permission")
        where = self._resolve(book, rng)
        if where is None:
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {rng}")
        if request["method"] == "GET":
            return self._get(sheet_id, book, where)
        if request["query"].get("valueInputOption") not in ("RAW", "USER_ENTERED"):
            return _error(400, "INVALID_ARGUMENT", "'valueInputOption' is required but not specified")
        body = self.json_body(request)
        if append and request["method"] == "POST":
            return self._append(sheet_id, book, where, body)
        if request["method"] == "PUT":
            if body.get("range") and body["range"] != rng:
                return _error(400, "INVALID_ARGUMENT", f"Requested writing within range [{rng}], but tried writing to [{body['range']}]")
            return self._put(sheet_id, book, where, body)
        return _error(404, "NOT_FOUND", "Method not found.")

    def _get(self, sheet_id, book, where):
        name, c1, r1, c2, r2 = where
        grid = book[name]
        last_row = len(grid) - 1 if r2 is None else min(r2, len(grid) - 1)
        rows = []
        for row in grid[r1 : last_row + 1]:
            cells = row[c1 : (c2 + 1 if c2 is not None else None)]
            while cells and cells[-1] == "":
                cells = cells[:-1]
            rows.append(cells)
        while rows and not rows[-1]:
            rows.pop()
        end_col = c2 if c2 is not None else max([len(r) for r in grid] + [1]) - 1
        answered = f"{_quoted(name)}!{_letters(c1)}{r1 + 1}:{_letters(end_col)}{max(last_row, r1) + 1}"
        body = {"range": answered, "majorDimension": "ROWS"}
        if rows:
            body["values"] = rows
        return 200, {}, body

    @staticmethod
    def _typed(value) -> str:
        return "TRUE" if value is True else "FALSE" if value is False else str(value)

    def _write(self, grid, row_index, col_index, values):
        for offset, cells in enumerate(values):
            while len(grid) <= row_index + offset:
                grid.append([])
            row = grid[row_index + offset]
            while len(row) < col_index + len(cells):
                row.append("")
            for c, value in enumerate(cells):
                row[col_index + c] = self._typed(value)

    def _append(self, sheet_id, book, where, body):
        name, c1, r1, _c2, _r2 = where
        grid = book[name]
        last = max((i for i, row in enumerate(grid) if any(str(c).strip() for c in row)), default=r1 - 1)
        values = body.get("values") or []
        start = last + 1
        self._write(grid, start, c1, values)
        width = max([len(v) for v in values] + [1])
        updated = f"{_quoted(name)}!{_letters(c1)}{start + 1}:{_letters(c1 + width - 1)}{start + len(values)}"
        return (
            200,
            {},
            {
                "spreadsheetId": sheet_id,
                "tableRange": f"{_quoted(name)}!{_letters(c1)}{r1 + 1}:{_letters(c1 + width - 1)}{last + 1}",
                "updates": {
                    "spreadsheetId": sheet_id,
                    "updatedRange": updated,
                    "updatedRows": len(values),
                    "updatedColumns": width,
                    "updatedCells": sum(len(v) for v in values),
                },
            },
        )

    def _put(self, sheet_id, book, where, body):
        name, c1, r1, _c2, _r2 = where
        values = body.get("values") or []
        self._write(book[name], r1, c1, values)
        width = max([len(v) for v in values] + [1])
        return (
            200,
            {},
            {
                "spreadsheetId": sheet_id,
                "updatedRange": f"{_quoted(name)}!{_letters(c1)}{r1 + 1}:{_letters(c1 + width - 1)}{r1 + len(values)}",
                "updatedRows": len(values),
                "updatedColumns": width,
                "updatedCells": sum(len(v) for v in values),
            },
        )

    def sheet(self, name: str, spreadsheet_id: str = SPREADSHEET_ID) -> list[list[str]]:
        return self.spreadsheets[spreadsheet_id][name]

    def values_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith("/v4/spreadsheets/")]

    # ---- Gmail --------------------------------------------------------------------------------------------------

    def _unauthenticated(self, request):
        if self.oauth.access_tokens.get(self.bearer(request), 0) <= time.time():
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        return None

    def _profile(self, request):
        return self._unauthenticated(request) or (200, {}, {"emailAddress": "me@example.com", "messagesTotal": len(self.mailbox)})

    def _send(self, request):
        if refused := self._unauthenticated(request):
            return refused
        assert request["method"] == "POST"
        raw = self.json_body(request).get("raw", "")
        if not raw or "+" in raw or "/" in raw:
            return _error(400, "INVALID_ARGUMENT", "Invalid value for ByteString: raw must be base64url", "invalidArgument")
        message = email.message_from_bytes(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)), policy=email.policy.default)
        if not message["To"]:
            return _error(400, "FAILED_PRECONDITION", "Recipient address required", "failedPrecondition")
        self.sent.append(message)
        return 200, {}, {"id": f"18c{len(self.sent):013x}", "threadId": f"18c{len(self.sent):013x}", "labelIds": ["SENT"]}

    def receive(self, *, sender: str, subject: str, text: str, html: str = "", date: str = "Mon, 07 Dec 2026 09:30:00 +0900"):
        number = len(self.mailbox) + 1
        encode = lambda value: base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")  # noqa: E731
        parts = [{"partId": "0", "mimeType": "text/plain", "filename": "", "body": {"size": len(text), "data": encode(text)}}]
        if html:
            parts.append({"partId": "1", "mimeType": "text/html", "filename": "", "body": {"size": len(html), "data": encode(html)}})
        self.mailbox.insert(
            0,
            {
                "id": f"msg{number:04d}",
                "threadId": f"thr{number:04d}",
                "labelIds": ["INBOX", "UNREAD"],
                "snippet": text[:100],
                "payload": {
                    "mimeType": "multipart/alternative",
                    "headers": [
                        {"name": "From", "value": sender},
                        {"name": "To", "value": "me@example.com"},
                        {"name": "Subject", "value": subject},
                        {"name": "Date", "value": date},
                    ],
                    "parts": parts,
                },
            },
        )

    def _matches(self, message: dict, query: str) -> bool:
        headers = {h["name"].lower(): h["value"] for h in message["payload"]["headers"]}
        for word in query.split():
            if word.startswith("from:"):
                if word[5:].lower() not in headers["from"].lower():
                    return False
            elif word.startswith("subject:"):
                if word[8:].lower() not in headers["subject"].lower():
                    return False
            elif word == "is:unread":
                if "UNREAD" not in message["labelIds"]:
                    return False
            elif word.lower() not in (headers["subject"] + " " + message["snippet"]).lower():
                return False
        return True

    def _list(self, request):
        if refused := self._unauthenticated(request):
            return refused
        limit = int(request["query"].get("maxResults", "100"))
        found = [m for m in self.mailbox if self._matches(m, request["query"].get("q", ""))]
        body = {"resultSizeEstimate": len(found)}
        if found:
            body["messages"] = [{"id": m["id"], "threadId": m["threadId"]} for m in found[:limit]]
        return 200, {}, body

    def _labels(self, request):
        return self._unauthenticated(request) or (200, {}, {"labels": self.labels})

    def _modify(self, request, message_id):
        if not self.granted_modify:
            return _error(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.", "insufficientPermissions")
        body = self.json_body(request)
        ids = {label["id"] for label in self.labels}
        for label_id in [*body.get("addLabelIds", []), *body.get("removeLabelIds", [])]:
            if label_id not in ids:
                return _error(400, "INVALID_ARGUMENT", f"Invalid label: {label_id}", "invalidArgument")
        for message in self.mailbox:
            if message["id"] == message_id:
                labels = [x for x in message["labelIds"] if x not in body.get("removeLabelIds", [])]
                message["labelIds"] = labels + [x for x in body.get("addLabelIds", []) if x not in labels]
                return 200, {}, {"id": message_id, "threadId": message["threadId"], "labelIds": message["labelIds"]}
        return _error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")

    def _message(self, request):
        if refused := self._unauthenticated(request):
            return refused
        if request["path"].endswith("/modify") and request["method"] == "POST":
            return self._modify(request, request["path"].rsplit("/", 2)[-2])
        message_id = request["path"].rsplit("/", 1)[-1]
        for message in self.mailbox:
            if message["id"] == message_id:
                return 200, {}, message
        return _error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")

    # ---- Calendar -----------------------------------------------------------------------------------------------

    @staticmethod
    def _moment(when: dict) -> dt.datetime | None:
        if "dateTime" in when:
            return dt.datetime.fromisoformat(when["dateTime"])
        if "date" in when:
            return dt.datetime.fromisoformat(when["date"] + "T00:00:00+00:00")
        return None

    def _events(self, request):
        if refused := self._unauthenticated(request):
            return refused
        calendar_id = unquote(request["path"].split("/")[4])
        events = self.calendars.get(calendar_id)
        if events is None:
            return _error(404, "NOT_FOUND", "Not Found", "notFound")
        if request["method"] == "POST":
            body = self.json_body(request)
            start, end = self._moment(body.get("start") or {}), self._moment(body.get("end") or {})
            if start is None or end is None:
                return _error(400, "INVALID_ARGUMENT", "Missing end time.", "required")
            if end <= start:
                return _error(400, "INVALID_ARGUMENT", "The specified time range is empty.", "timeRangeEmpty")
            event = {
                "kind": "calendar#event",
                "id": f"evt{len(events) + 1:06d}",
                "status": "confirmed",
                "htmlLink": f"https://www.google.com/calendar/event?eid=evt{len(events) + 1:06d}",
                **body,
            }
            events.append(event)
            return 200, {}, event
        query = request["query"]
        try:
            low, high = dt.datetime.fromisoformat(query["timeMin"]), dt.datetime.fromisoformat(query["timeMax"])
            assert low.tzinfo and high.tzinfo
        except (KeyError, ValueError, AssertionError):
            return _error(400, "INVALID_ARGUMENT", "Bad Request", "badRequest")
        if query.get("orderBy") == "startTime" and query.get("singleEvents") != "true":
            return _error(400, "INVALID_ARGUMENT", "The requested ordering is not available for the particular query.", "invalid")
        found = [e for e in events if self._moment(e["start"]) < high and self._moment(e["end"]) > low]
        if query.get("q"):
            found = [e for e in found if query["q"].lower() in (e.get("summary", "") + e.get("description", "")).lower()]
        found.sort(key=lambda e: self._moment(e["start"]))
        return (
            200,
            {},
            {"kind": "calendar#events", "timeZone": query.get("timeZone", "UTC"), "items": found[: int(query.get("maxResults", 250))]},
        )
