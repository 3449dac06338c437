"""Notion: query a database (`POST /v1/databases/{id}/query`, pages of up to 100 with has_more/next_cursor) and create a
page in a database, with an internal integration secret and the Notion-Version header.

Notion answers errors as {"object": "error", "status": 404, "code": "object_not_found", "message": ...}; rate limits as
HTTP 429 code "rate_limited" with Retry-After."""

from __future__ import annotations

import re

from apps.connectors import n8n
from apps.connectors.http import RATE_LIMITED, Answer, Credential, Service, call, provider_error
from apps.connectors.params import json_value
from apps.flows.credential_kinds import BearerTokenKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, http_verdict, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

NOTION_VERSION = "2022-06-28"
PAGE_SIZE = 100
MAX_TEXT = 2000  # Notion's limit for one rich-text piece
_ID = re.compile(r"([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})")

_KNOWN = {
    "unauthorized": (
        "notion_unauthorized",
        gettext_noop(
            "Notion refused the integration secret (%(code)s: %(reason)s). Copy it again from notion.so/my-integrations → "
            "your integration → Internal Integration Secret, and update the credential."
        ),
    ),
    "restricted_resource": (
        "notion_no_access",
        gettext_noop(
            "The integration may not do this (%(code)s: %(reason)s). In notion.so/my-integrations → Capabilities, allow "
            "reading or inserting content."
        ),
    ),
    "object_not_found": (
        "notion_not_found",
        gettext_noop(
            "Notion cannot find the database or page (%(code)s: %(reason)s). Check the address, and share it with the "
            "integration: open it in Notion → ••• → Connections → add your integration."
        ),
    ),
    "validation_error": ("notion_bad_request", gettext_noop("Notion could not accept the request (%(code)s: %(reason)s).")),
    "invalid_json": ("notion_bad_request", gettext_noop("Notion could not accept the request (%(code)s: %(reason)s).")),
    "conflict_error": (
        "notion_conflict",
        gettext_noop("Notion was changing the same data at the same moment (%(code)s). Run the step again."),
    ),
    "rate_limited": (RATE_LIMITED, gettext_noop("Notion is receiving too many requests (%(code)s). Wait a little and run again.")),
    "internal_server_error": ("notion_unavailable", gettext_noop("Notion had an error (%(code)s). Run the step again in a few minutes.")),
    "service_unavailable": ("notion_unavailable", gettext_noop("Notion had an error (%(code)s). Run the step again in a few minutes.")),
}


def _notion_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if not isinstance(body, dict) or body.get("object") != "error":
        return None
    code, reason = str(body.get("code") or answer.status), str(body.get("message") or "")
    if code == "rate_limited" and answer.retry_after() is not None:
        return None  # the shared handling waits out a short pause or says how long to wait
    error_code, template = _KNOWN.get(code) or ("notion_error", gettext_noop("Notion refused the request (%(code)s: %(reason)s)."))
    return provider_error(template, code=error_code, service=NOTION, provider_code=code, answer=answer, reason=reason)


NOTION = Service("notion", "Notion", "https://api.notion.com", _notion_error)


@register_credential_kind
class NotionIntegration(BearerTokenKind):
    icon = "notion"
    key = "notion_integration"
    label = t("Notion integration secret", "노션 통합(integration) 시크릿")
    fields = (Field("token", t("Internal Integration Secret", "내부 통합 시크릿")),)
    help = t(
        "notion.so/my-integrations → New integration → your workspace → Save → Internal Integration Secret → Show → "
        "Copy (starts with ntn_ or secret_). Then share each database with it: open the database → ••• → Connections → "
        "add the integration.",
        "notion.so/my-integrations → 새 API 통합 → 워크스페이스 선택 → 저장 → 내부 통합 시크릿 → 표시 → 복사"
        "(ntn_ 또는 secret_로 시작). 그다음 쓸 데이터베이스마다 공유하세요: 데이터베이스 열기 → ••• → 연결 → 통합 추가.",
    )

    def authenticate(self, request, data):
        super().authenticate(request, data)
        request.headers["Notion-Version"] = NOTION_VERSION

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            return http_verdict(send_probe(url or NOTION.url("/v1/users/me"), allow_hosts=allow_hosts, request=request))
        except ProbeFailed as failed:
            return failed.result


def notion_id(value) -> str:
    """A database or page id from the id itself or from the address copied in Notion (…/Name-<32 hex>?v=…)."""
    text = str(value or "").strip().split("?")[0]
    found = _ID.findall(text)
    if not found:
        raise NodeError(
            gettext_noop(
                "“%(value)s” is not a Notion database address or ID. In Notion, open the database as a full page → Share → Copy link."
            ),
            code="bad_notion_id",
            values={"value": str(value)[:200]},
        )
    return "-".join(found[-1]).lower()


def _plain(rich: list) -> str:
    return "".join(
        str(part.get("plain_text") or (part.get("text") or {}).get("content") or "") for part in rich or [] if isinstance(part, dict)
    )


def property_value(prop: dict):
    """A Notion property as the plain value a person expects (text, number, list of names, date, …)."""
    kind = prop.get("type")
    value = prop.get(kind)
    if kind in ("title", "rich_text"):
        return _plain(value)
    if kind in ("select", "status"):
        return (value or {}).get("name")
    if kind == "multi_select":
        return [option.get("name") for option in value or []]
    if kind == "date":
        if not value:
            return None
        return value.get("start") if not value.get("end") else {"start": value.get("start"), "end": value.get("end")}
    if kind == "people":
        return [person.get("name") or person.get("id") for person in value or []]
    if kind == "relation":
        return [entry.get("id") for entry in value or []]
    if kind == "files":
        return [(entry.get("file") or entry.get("external") or {}).get("url") for entry in value or []]
    if kind == "formula":
        return (value or {}).get((value or {}).get("type"))
    if kind == "rollup":
        inner = value or {}
        rolled = inner.get(inner.get("type"))
        return [property_value(entry) for entry in rolled] if isinstance(rolled, list) else rolled
    if kind == "unique_id":
        value = value or {}
        return f"{value['prefix']}-{value.get('number')}" if value.get("prefix") else value.get("number")
    if kind in ("created_by", "last_edited_by"):
        return (value or {}).get("name") or (value or {}).get("id")
    return value  # number, checkbox, url, email, phone_number, created_time, last_edited_time


def page_item(page: dict) -> dict:
    properties = page.get("properties") or {}
    return {
        "id": page.get("id"),
        "url": page.get("url"),
        "created_time": page.get("created_time"),
        "last_edited_time": page.get("last_edited_time"),
        "fields": {name: property_value(prop) for name, prop in properties.items() if isinstance(prop, dict)},
        "properties": properties,
    }


@register
class NotionQueryDatabase(NodeType):
    key = "notion.query_database"
    n8n = (
        N8nMapping(
            ("n8n-nodes-base.notion",), n8n.notion_query, when=n8n.operation_in("getAll", resource="databasePage", default="create")
        ),
    )
    category = "action"
    icon = "notion"
    label = t("Find pages in a Notion database", "노션 데이터베이스에서 페이지 찾기")
    description = t(
        "Reads the pages of a Notion database, filtered and sorted if you like; one item per page with its fields as plain values.",
        "노션 데이터베이스의 페이지를 읽습니다(원하면 필터·정렬). 페이지마다 항목 하나를 내고, 속성은 알기 쉬운 값으로 줍니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("Notion integration", "노션 통합"),
            required=True,
            credential_type="notion_integration",
            expressions=False,
        ),
        Param(
            "database",
            "string",
            t("Database (address or ID)", "데이터베이스(주소 또는 ID)"),
            required=True,
            help=t(
                "Open the database as a full page in Notion → Share → Copy link.",
                "노션에서 데이터베이스를 전체 페이지로 열고 → 공유 → 링크 복사.",
            ),
        ),
        Param(
            "filter",
            "json",
            t("Filter (Notion JSON)", "필터(노션 JSON)"),
            default=None,
            help=t(
                'For example {"property": "Status", "status": {"equals": "Done"}}. Empty: every page.',
                '예: {"property": "상태", "status": {"equals": "완료"}}. 비우면 모든 페이지.',
            ),
        ),
        Param("sort_property", "string", t("Sort by property", "정렬할 속성"), default=""),
        Param(
            "sort_direction",
            "select",
            t("Order", "순서"),
            default="descending",
            options=(("ascending", t("A→Z, oldest first", "오름차순")), ("descending", t("Z→A, newest first", "내림차순"))),
        ),
        Param("limit", "integer", t("At most this many pages", "최대 페이지 수"), default=100, minimum=1, maximum=10000),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "notion_integration")
            database, limit = notion_id(params["database"]), int(params["limit"])
            body: dict = {}
            if (query_filter := json_value(params.get("filter"), label="filter", expect=dict)) is not None:
                body["filter"] = query_filter
            if params.get("sort_property"):
                body["sorts"] = [{"property": str(params["sort_property"]), "direction": params["sort_direction"]}]
            found, cursor = [], None
            while len(found) < limit:
                page_body = {**body, "page_size": min(PAGE_SIZE, limit - len(found))}
                if cursor:
                    page_body["start_cursor"] = cursor
                answer = (
                    call(ctx, NOTION, "POST", f"/v1/databases/{database}/query", credential=credential, json_body=page_body).json() or {}
                )
                found.extend(page_item(page) for page in answer.get("results") or [])
                cursor = answer.get("next_cursor")
                if not answer.get("has_more") or not cursor:
                    break
            out.extend(found[:limit])
        return {"main": out}


def _text(value) -> list:
    text = "" if value is None else str(value)
    return [{"type": "text", "text": {"content": text[i : i + MAX_TEXT]}} for i in range(0, len(text), MAX_TEXT)] if text else []


def _names(value) -> list:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def notion_property(name: str, kind: str, value):
    """A plain value (as a person types it in the form) as the property value Notion expects for its type."""
    if kind == "title":
        return {"title": _text(value)}
    if kind == "rich_text":
        return {"rich_text": _text(value)}
    if kind == "number":
        if value in (None, ""):
            return {"number": None}
        try:
            return {"number": float(value) if not float(value).is_integer() else int(float(value))}
        except (TypeError, ValueError):
            raise NodeError(
                gettext_noop("The Notion property “%(name)s” takes a number, not “%(value)s”."),
                code="notion_bad_value",
                values={"name": name, "value": str(value)[:100]},
            ) from None
    if kind in ("select", "status"):
        return {kind: {"name": str(value)} if str(value or "").strip() else None}
    if kind == "multi_select":
        return {"multi_select": [{"name": name} for name in _names(value)]}
    if kind == "checkbox":
        return {"checkbox": value is True or str(value).strip().lower() in ("true", "yes", "1", "y", "예", "o")}
    if kind == "date":
        if isinstance(value, dict):
            return {"date": value}
        return {"date": {"start": str(value)} if str(value or "").strip() else None}
    if kind in ("url", "email", "phone_number"):
        return {kind: str(value) if str(value or "").strip() else None}
    if kind == "relation":
        return {"relation": [{"id": notion_id(entry)} for entry in _names(value)]}
    if kind == "people":
        return {"people": [{"id": entry} for entry in _names(value)]}
    raise NodeError(
        gettext_noop("EZFlow cannot fill the Notion property “%(name)s” (type %(type)s); leave it out or set it in Notion."),
        code="notion_unsupported_property",
        values={"name": name, "type": str(kind)},
    )


@register
class NotionCreatePage(NodeType):
    key = "notion.create_page"
    n8n = (N8nMapping(("n8n-nodes-base.notion",), n8n.notion_create, when=n8n.operation_in("create", resource="databasePage")),)
    category = "action"
    icon = "notion"
    label = t("Add a page to a Notion database", "노션 데이터베이스에 페이지 추가")
    description = t(
        "Adds a page (a row) to a Notion database with the fields you fill in, and text in the page if you like; one page per item.",
        "채운 속성으로 노션 데이터베이스에 페이지(행)를 추가하고, 원하면 본문 글도 넣습니다. 항목마다 페이지 하나를 만듭니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("Notion integration", "노션 통합"),
            required=True,
            credential_type="notion_integration",
            expressions=False,
        ),
        Param("database", "string", t("Database (address or ID)", "데이터베이스(주소 또는 ID)"), required=True),
        Param("title", "string", t("Title", "제목"), required=True),
        Param(
            "fields",
            "keyvalue",
            t("Other properties", "다른 속성"),
            default={},
            help=t(
                "Property name → value, as you would type it in Notion: several options separated by commas, dates as "
                "2026-12-31, checkboxes as yes/no.",
                "속성 이름 → 값. 노션에 입력하듯 쓰세요: 여러 선택지는 쉼표로 구분, 날짜는 2026-12-31, 체크박스는 yes/no.",
            ),
        ),
        Param("content", "text", t("Text in the page", "페이지 본문"), default=""),
    )

    def execute(self, ctx):
        out, credential, schemas = [], None, {}
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "notion_integration")
            database = notion_id(params["database"])
            if database not in schemas:
                described = call(ctx, NOTION, "GET", f"/v1/databases/{database}", credential=credential).json() or {}
                schemas[database] = {name: prop.get("type") for name, prop in (described.get("properties") or {}).items()}
            schema = schemas[database]
            title_name = next((name for name, kind in schema.items() if kind == "title"), "Name")
            properties = {title_name: notion_property(title_name, "title", params["title"])}
            for name, value in (params.get("fields") or {}).items():
                if name not in schema:
                    raise NodeError(
                        gettext_noop("The Notion database has no property “%(name)s”. Its properties: %(names)s."),
                        code="notion_unknown_property",
                        values={"name": str(name), "names": ", ".join(schema)},
                    )
                properties[name] = notion_property(name, schema[name], value)
            body = {"parent": {"database_id": database}, "properties": properties}
            paragraphs = [part for part in str(params.get("content") or "").split("\n\n") if part.strip()]
            if paragraphs:
                body["children"] = [
                    {"object": "block", "type": "paragraph", "paragraph": {"rich_text": _text(part)}} for part in paragraphs[:100]
                ]
            page = call(ctx, NOTION, "POST", "/v1/pages", credential=credential, json_body=body).json() or {}
            out.append(page_item(page))
        return {"main": out}
