"""Airtable's Web API v0: list records (pageSize, maxRecords, view, filterByFormula, sort[0][...], offset), create and
update records, with its real error bodies."""

from __future__ import annotations

from urllib.parse import unquote

from tests.connectors.fakes.base import FakeService

TOKEN = "patAbCdEfGhIjKlMn.0123456789abcdef0123456789abcdef"
READ_ONLY = "patReadOnlyToken01.0123456789abcdef0123456789abcdef"
BASE, TABLE = "appA1b2C3d4E5f6G7", "고객"
RECORDS = [
    {
        "id": f"rec{n:014d}",
        "createdTime": "2026-12-01T00:00:00.000Z",
        "fields": {"이름": f"고객 {n}", "점수": n * 10, "상태": "신규" if n % 2 else "기존"},
    }
    for n in range(1, 6)
]
FIELDS = {"이름", "점수", "상태", "메모"}


def _error(status, type_, message):
    return status, {}, {"error": {"type": type_, "message": message}}


class FakeAirtable(FakeService):
    page_size_cap = 2

    def __init__(self):
        super().__init__()
        self.records = [dict(r, fields=dict(r["fields"])) for r in RECORDS]
        self.routes["/v0/meta/whoami"] = lambda request: (
            self._auth(request) or (200, {}, {"id": "usrTest", "scopes": ["data.records:read"]})
        )
        original = self.routes.get

        def route(path, default=None):
            found = original(path, None)
            if found is not None:
                return found
            if path.startswith("/v0/"):
                return lambda request: self._table(request, [unquote(part) for part in path.split("/")[2:]])
            return default

        self.routes.get = route  # type: ignore[method-assign]

    @staticmethod
    def _auth(request):
        if FakeService.bearer(request) not in (TOKEN, READ_ONLY):
            return _error(401, "AUTHENTICATION_REQUIRED", "Authentication required")
        return None

    def _table(self, request, parts):
        if refused := self._auth(request):
            return refused
        base, table, record = parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else None
        if base != BASE or table != TABLE:
            return _error(403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", "Invalid permissions, or the requested model was not found.")
        if request["method"] == "GET":
            return self._list(request["query"])
        if FakeService.bearer(request) == READ_ONLY:
            return _error(403, "INVALID_PERMISSIONS", "You are not permitted to perform this operation")
        body = self.json_body(request)
        unknown = set(body.get("fields") or {}) - FIELDS
        if unknown:
            return _error(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{sorted(unknown)[0]}"')
        if "점수" in body["fields"] and not isinstance(body["fields"]["점수"], (int, float)) and not body.get("typecast"):
            return _error(422, "INVALID_VALUE_FOR_COLUMN", 'Field "점수" cannot accept the provided value')
        if request["method"] == "POST" and record is None:
            created = {"id": f"rec{len(self.records) + 1:014d}", "createdTime": "2026-12-07T09:00:00.000Z", "fields": body["fields"]}
            self.records.append(created)
            return 200, {}, created
        if request["method"] == "PATCH" and record:
            for existing in self.records:
                if existing["id"] == record:
                    existing["fields"].update(body["fields"])
                    return 200, {}, existing
            return 404, {}, {"error": "NOT_FOUND"}
        return 404, {}, {"error": "NOT_FOUND"}

    def _list(self, query):
        records = self.records
        formula = query.get("filterByFormula")
        if formula:
            if formula.count("{") != formula.count("}"):
                return _error(422, "INVALID_FILTER_BY_FORMULA", f"The formula for filtering records is invalid: {formula}")
            records = [r for r in records if f"'{r['fields'].get('상태')}'" in formula]
        if query.get("sort[0][field]"):
            records = sorted(
                records, key=lambda r: r["fields"].get(query["sort[0][field]"]), reverse=query.get("sort[0][direction]") == "desc"
            )
        records = records[: int(query.get("maxRecords", 10**6))]
        start = int(query["offset"].split("/")[-1]) if query.get("offset") else 0
        size = min(int(query.get("pageSize", 100)), self.page_size_cap)
        page, rest = records[start : start + size], records[start + size :]
        answer = {"records": page}
        if rest:
            answer["offset"] = f"itr0000000000000/rec{start:014d}/{start + size}"
        return 200, {}, answer
