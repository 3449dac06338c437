"""Airtable: list records (pages of up to 100 with `offset`), create and update records, with a personal access token.

Airtable answers errors as {"error": {"type": "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", "message": ...}}, sometimes as
{"error": "NOT_FOUND"}, and rate limits (5 requests a second per base, then a 30-second pause) as HTTP 429
{"errors": [{"error": "RATE_LIMIT_REACHED", "message": ...}]}."""

from __future__ import annotations

import re
from urllib.parse import quote

from apps.connectors import n8n
from apps.connectors.http import RATE_LIMITED, Answer, Credential, Service, call, provider_error
from apps.connectors.params import json_value
from apps.flows.credential_kinds import BearerTokenKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, http_verdict, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

BASE_ID = re.compile(r"\b(app[A-Za-z0-9]{14})\b")
RECORD_ID = re.compile(r"^rec[A-Za-z0-9]{14}$")
PAGE_SIZE = 100

_KNOWN = {
    "AUTHENTICATION_REQUIRED": (
        "airtable_unauthorized",
        gettext_noop(
            "Airtable refused the token (%(code)s). Create a personal access token at airtable.com/create/tokens and update the credential."
        ),
    ),
    "UNAUTHORIZED": (
        "airtable_unauthorized",
        gettext_noop(
            "Airtable refused the token (%(code)s). Create a personal access token at airtable.com/create/tokens and update the credential."
        ),
    ),
    "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND": (
        "airtable_no_access",
        gettext_noop(
            "Airtable cannot find the base or table, or the token may not use it (%(code)s). Check the base and table "
            "names, and in airtable.com/create/tokens give the token the scopes data.records:read and "
            "data.records:write and add this base under Access."
        ),
    ),
    "INVALID_PERMISSIONS": (
        "airtable_no_access",
        gettext_noop(
            "The token may not do this (%(code)s). In airtable.com/create/tokens give it the scopes data.records:read and "
            "data.records:write and add this base under Access."
        ),
    ),
    "NOT_FOUND": (
        "airtable_not_found",
        gettext_noop("Airtable cannot find this base, table or record (%(code)s). Check the names and IDs."),
    ),
    "MODEL_ID_NOT_FOUND": (
        "airtable_not_found",
        gettext_noop("Airtable cannot find this base, table or record (%(code)s). Check the names and IDs."),
    ),
    "TABLE_NOT_FOUND": (
        "airtable_not_found",
        gettext_noop("Airtable cannot find this base, table or record (%(code)s). Check the names and IDs."),
    ),
    "VIEW_NAME_NOT_FOUND": ("airtable_bad_view", gettext_noop("The table has no such view (%(code)s: %(reason)s).")),
    "UNKNOWN_FIELD_NAME": (
        "airtable_unknown_field",
        gettext_noop("The table has no such field (%(code)s: %(reason)s). Field names must match Airtable exactly."),
    ),
    "INVALID_VALUE_FOR_COLUMN": (
        "airtable_bad_value",
        gettext_noop("Airtable refused a value (%(code)s: %(reason)s). Turn on “Convert values” to let Airtable convert text."),
    ),
    "INVALID_MULTIPLE_CHOICE_OPTIONS": (
        "airtable_bad_value",
        gettext_noop("Airtable refused a value (%(code)s: %(reason)s). Turn on “Convert values” to let Airtable convert text."),
    ),
    "INVALID_FILTER_BY_FORMULA": (
        "airtable_bad_formula",
        gettext_noop("Airtable could not read the formula (%(code)s: %(reason)s). Check it in a formula field first."),
    ),
    "RATE_LIMIT_REACHED": (
        RATE_LIMITED,
        gettext_noop(
            "Airtable is receiving too many requests for this base (%(code)s): at most 5 a second. Wait 30 seconds and run "
            "again, or handle fewer items at once."
        ),
    ),
    "PUBLIC_API_BILLING_LIMIT_EXCEEDED": (
        "airtable_quota",
        gettext_noop("The workspace used up its monthly Airtable API calls (%(code)s). Upgrade the plan or wait for next month."),
    ),
}


def _airtable_error(answer: Answer) -> NodeError | None:
    if answer.status < 400:
        return None
    body = answer.data()
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if error is None and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        error = {"type": first.get("error"), "message": first.get("message")} if isinstance(first, dict) else None
    if isinstance(error, str):
        error = {"type": error, "message": ""}
    if not isinstance(error, dict) or not error.get("type"):
        return None
    code, reason = str(error["type"]), str(error.get("message") or "")
    error_code, template = _KNOWN.get(code) or ("airtable_error", gettext_noop("Airtable refused the request (%(code)s: %(reason)s)."))
    return provider_error(template, code=error_code, service=AIRTABLE, provider_code=code, answer=answer, reason=reason)


AIRTABLE = Service("airtable", "Airtable", "https://api.airtable.com", _airtable_error)


@register_credential_kind
class AirtableToken(BearerTokenKind):
    icon = "airtable"
    key = "airtable_token"
    label = t("Airtable personal access token", "에어테이블 개인 액세스 토큰")
    fields = (Field("token", t("Personal access token", "개인 액세스 토큰")),)
    help = t(
        "airtable.com/create/tokens → Create new token: add the scopes data.records:read and data.records:write (and "
        "schema.bases:read to test the connection), add the bases under Access, then copy the token (starts with pat).",
        "airtable.com/create/tokens → Create new token: 범위(scope)에 data.records:read, data.records:write(연결 테스트에는 "
        "schema.bases:read도)를 넣고, Access에 쓸 베이스를 추가한 뒤 토큰(pat로 시작)을 복사하세요.",
    )

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            return http_verdict(send_probe(url or AIRTABLE.url("/v0/meta/whoami"), allow_hosts=allow_hosts, request=request))
        except ProbeFailed as failed:
            return failed.result


def _base(value) -> str:
    found = BASE_ID.search(str(value or ""))
    if not found:
        raise NodeError(
            gettext_noop("“%(value)s” is not an Airtable base. Copy the base's address from the browser (it contains app…)."),
            code="bad_airtable_base",
            values={"value": str(value)[:200]},
        )
    return found.group(1)


def _table_path(params) -> str:
    table = str(params.get("table") or "").strip()
    if not table:
        raise NodeError(gettext_noop("Fill in the table (its name or ID)."), code="bad_airtable_table")
    return f"/v0/{_base(params['base'])}/{quote(table, safe='')}"


def _record_item(record: dict) -> dict:
    return {"id": record.get("id"), "created_time": record.get("createdTime"), "fields": record.get("fields") or {}}


_BASE_PARAMS = (
    Param(
        "credential",
        "credential",
        t("Airtable token", "에어테이블 토큰"),
        required=True,
        credential_type="airtable_token",
        expressions=False,
    ),
    Param(
        "base",
        "string",
        t("Base (address or ID)", "베이스(주소 또는 ID)"),
        required=True,
        help=t(
            "Open the base in the browser and copy the address (it contains app…).",
            "브라우저에서 베이스를 열고 주소를 복사하세요(app…이 들어 있습니다).",
        ),
    ),
    Param("table", "string", t("Table (name or ID)", "테이블(이름 또는 ID)"), required=True),
)


def _fields(params) -> dict:
    fields = params.get("fields") or {}
    if isinstance(fields, str):
        fields = json_value(fields, label="fields", expect=dict) or {}
    if not isinstance(fields, dict) or not fields:
        raise NodeError(gettext_noop("Fill in at least one field (field name → value)."), code="airtable_no_fields")
    return fields


_WRITE_PARAMS = (
    Param(
        "fields",
        "keyvalue",
        t("Fields", "필드"),
        required=True,
        default={},
        help=t("Field name → value; names must match Airtable exactly.", "필드 이름 → 값. 이름은 에어테이블과 똑같아야 합니다."),
    ),
    Param(
        "typecast",
        "boolean",
        t("Convert values", "값 자동 변환"),
        default=True,
        help=t(
            "Lets Airtable turn text into numbers, dates and new select options.",
            "에어테이블이 글을 숫자·날짜·새 선택지로 바꾸도록 합니다.",
        ),
    ),
    Param("output_field", "string", t("Put the record in", "레코드를 넣을 필드"), default="airtable", expressions=False),
)


@register
class AirtableListRecords(NodeType):
    key = "airtable.list_records"
    n8n = (N8nMapping(("n8n-nodes-base.airtable",), n8n.airtable_list, when=n8n.operation_in("search", "list", resource="record")),)
    category = "action"
    icon = "airtable"
    label = t("List Airtable records", "에어테이블 레코드 목록")
    description = t(
        "Reads the records of an Airtable table (a view, a formula and an order if you like); one item per record.",
        "에어테이블 테이블의 레코드를 읽습니다(원하면 뷰·수식·정렬). 레코드마다 항목 하나를 냅니다.",
    )
    params = (
        *_BASE_PARAMS,
        Param("view", "string", t("View (optional)", "뷰(선택)"), default=""),
        Param(
            "formula",
            "string",
            t("Only records where (formula)", "조건(수식)"),
            default="",
            help=t("An Airtable formula, e.g. {Status} = 'Todo'.", "에어테이블 수식. 예: {상태} = '할 일'"),
        ),
        Param("sort_field", "string", t("Sort by field", "정렬할 필드"), default=""),
        Param(
            "sort_direction",
            "select",
            t("Order", "순서"),
            default="asc",
            options=(("asc", t("ascending", "오름차순")), ("desc", t("descending", "내림차순"))),
        ),
        Param("limit", "integer", t("At most this many records", "최대 레코드 수"), default=100, minimum=1, maximum=10000),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "airtable_token")
            path, limit = _table_path(params), int(params["limit"])
            query = {"pageSize": str(min(PAGE_SIZE, limit)), "maxRecords": str(limit)}
            if params.get("view"):
                query["view"] = str(params["view"])
            if params.get("formula"):
                query["filterByFormula"] = str(params["formula"])
            if params.get("sort_field"):
                query["sort[0][field]"] = str(params["sort_field"])
                query["sort[0][direction]"] = params["sort_direction"]
            found = []
            while len(found) < limit:
                answer = call(ctx, AIRTABLE, "GET", path, credential=credential, query=query).json() or {}
                found.extend(_record_item(record) for record in answer.get("records") or [])
                if not answer.get("offset"):
                    break
                query = {**query, "offset": answer["offset"]}
            out.extend(found[:limit])
        return {"main": out}


@register
class AirtableCreateRecord(NodeType):
    key = "airtable.create_record"
    n8n = (N8nMapping(("n8n-nodes-base.airtable",), n8n.airtable_create, when=n8n.operation_in("create", "append", resource="record")),)
    category = "action"
    icon = "airtable"
    label = t("Add an Airtable record", "에어테이블 레코드 추가")
    description = t(
        "Adds a record to an Airtable table; one record per item.",
        "에어테이블 테이블에 레코드를 추가합니다. 항목마다 레코드 하나를 만듭니다.",
    )
    params = (*_BASE_PARAMS, *_WRITE_PARAMS)

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "airtable_token")
            body = {"fields": _fields(params), "typecast": bool(params["typecast"])}
            record = call(ctx, AIRTABLE, "POST", _table_path(params), credential=credential, json_body=body).json() or {}
            created = copy_item(item)
            set_path(created, params["output_field"] or "airtable", _record_item(record))
            out.append(created)
        return {"main": out}


@register
class AirtableUpdateRecord(NodeType):
    key = "airtable.update_record"
    n8n = (
        N8nMapping(("n8n-nodes-base.airtable",), n8n.airtable_update, when=n8n.operation_in("update", resource="record", default="create")),
    )
    category = "action"
    icon = "airtable"
    label = t("Update an Airtable record", "에어테이블 레코드 수정")
    description = t(
        "Changes the fields you fill in of one record (the others stay as they are); one record per item.",
        "레코드 하나에서 채운 필드만 바꿉니다(나머지는 그대로). 항목마다 레코드 하나를 수정합니다.",
    )
    params = (*_BASE_PARAMS, Param("record_id", "string", t("Record ID (rec…)", "레코드 ID(rec…)"), required=True), *_WRITE_PARAMS)

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "airtable_token")
            record_id = str(params["record_id"] or "").strip()
            if not RECORD_ID.match(record_id):
                raise NodeError(
                    gettext_noop("“%(value)s” is not an Airtable record ID (rec followed by 14 letters and digits)."),
                    code="bad_airtable_record",
                    values={"value": record_id[:100]},
                )
            body = {"fields": _fields(params), "typecast": bool(params["typecast"])}
            record = call(ctx, AIRTABLE, "PATCH", f"{_table_path(params)}/{record_id}", credential=credential, json_body=body).json() or {}
            updated = copy_item(item)
            set_path(updated, params["output_field"] or "airtable", _record_item(record))
            out.append(updated)
        return {"main": out}
