"""The Notion API (2022-06-28): database query with filter/sorts and cursor pages, database schema, page creation, and
its error bodies {"object": "error", "status", "code", "message"}."""

from __future__ import annotations

import uuid

from tests.connectors.fakes.base import FakeService

TOKEN = "ntn_1234567890abcdefTestIntegrationSecret"
DATABASE = "0f3c8e2a9b1d4c5e8f7a6b5c4d3e2f1a"
DATABASE_ID = "0f3c8e2a-9b1d-4c5e-8f7a-6b5c4d3e2f1a"
SCHEMA = {
    "이름": "title",
    "상태": "status",
    "태그": "multi_select",
    "금액": "number",
    "마감": "date",
    "완료": "checkbox",
    "메모": "rich_text",
}


def _page(number: int, status: str) -> dict:
    return {
        "object": "page",
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "url": f"https://www.notion.so/page-{number}",
        "created_time": "2026-12-01T00:00:00.000Z",
        "last_edited_time": "2026-12-07T00:00:00.000Z",
        "properties": {
            "이름": {
                "id": "title",
                "type": "title",
                "title": [{"type": "text", "plain_text": f"작업 {number}", "text": {"content": f"작업 {number}"}}],
            },
            "상태": {"id": "s", "type": "status", "status": {"name": status}},
            "태그": {"id": "t", "type": "multi_select", "multi_select": [{"name": "영업"}, {"name": "긴급"}]},
            "금액": {"id": "n", "type": "number", "number": number * 1000},
            "마감": {"id": "d", "type": "date", "date": {"start": "2026-12-31", "end": None}},
            "완료": {"id": "c", "type": "checkbox", "checkbox": status == "완료"},
        },
    }


PAGES = [_page(n, "완료" if n % 2 else "진행 중") for n in range(1, 8)]


def _error(status, code, message):
    return status, {}, {"object": "error", "status": status, "code": code, "message": message}


class FakeNotion(FakeService):
    page_size_cap = 3  # smaller than Notion's 100, so a test sees several pages

    def __init__(self):
        super().__init__()
        self.created: list[dict] = []
        self.routes[f"/v1/databases/{DATABASE_ID}/query"] = self._query
        self.routes[f"/v1/databases/{DATABASE_ID}"] = self._database
        self.routes["/v1/pages"] = self._create
        self.routes["/v1/users/me"] = lambda request: self._check(request) or (200, {}, {"object": "user", "type": "bot"})
        original = self.routes.get

        def route(path, default=None):
            found = original(path, None)
            if found is not None:
                return found
            if path.startswith("/v1/databases/"):
                database = path.split("/")[3]
                return lambda request: (
                    self._check(request)
                    or _error(
                        404,
                        "object_not_found",
                        f"Could not find database with ID: {database}. "
                        "Make sure the relevant pages and databases are shared with your integration.",
                    )
                )
            return default

        self.routes.get = route  # type: ignore[method-assign]

    def _check(self, request):
        if request["headers"].get("Authorization") != f"Bearer {TOKEN}":
            return _error(401, "unauthorized", "API token is invalid.")
        if request["headers"].get("Notion-Version") != "2022-06-28":
            return _error(400, "missing_version", "Notion-Version header failed validation: Notion-Version header should be defined.")
        return None

    def _query(self, request):
        if refused := self._check(request):
            return refused
        body = self.json_body(request)
        pages = PAGES
        query_filter = body.get("filter")
        if query_filter:
            if query_filter.get("property") not in SCHEMA:
                return _error(400, "validation_error", f"Could not find property with name or id: {query_filter.get('property')}")
            wanted = (query_filter.get("status") or {}).get("equals")
            pages = [p for p in pages if p["properties"]["상태"]["status"]["name"] == wanted]
        for sort in body.get("sorts") or []:
            pages = sorted(pages, key=lambda p: p["properties"]["금액"]["number"], reverse=sort.get("direction") == "descending")
        size = min(int(body.get("page_size", 100)), self.page_size_cap)
        start = int(body["start_cursor"].split("-")[-1]) if body.get("start_cursor") else 0
        chunk, rest = pages[start : start + size], pages[start + size :]
        cursor = f"cursor-{start + size}" if rest else None
        return 200, {}, {"object": "list", "results": chunk, "next_cursor": cursor, "has_more": bool(rest), "type": "page_or_database"}

    def _database(self, request):
        if refused := self._check(request):
            return refused
        return (
            200,
            {},
            {
                "object": "database",
                "id": DATABASE_ID,
                "properties": {name: {"id": name, "name": name, "type": kind} for name, kind in SCHEMA.items()},
            },
        )

    def _create(self, request):
        if refused := self._check(request):
            return refused
        body = self.json_body(request)
        if (body.get("parent") or {}).get("database_id") != DATABASE_ID:
            return _error(404, "object_not_found", "Could not find database.")
        for name, value in body["properties"].items():
            kind = SCHEMA.get(name)
            if kind is None:
                return _error(400, "validation_error", f"{name} is not a property that exists.")
            if kind not in value:
                return _error(400, "validation_error", f"{name} is expected to be {kind}.")
        self.created.append(body)
        page = {"object": "page", "id": str(uuid.UUID(int=len(self.created))), "url": f"https://www.notion.so/new-{len(self.created)}"}
        page["properties"] = {name: {"type": SCHEMA[name], **value} for name, value in body["properties"].items()}
        return 200, {}, page
