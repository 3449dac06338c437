"""공공데이터포털 (data.go.kr): calling an open API with the organization's serviceKey.

Two pitfalls this module exists for. The portal shows each key twice, URL-encoded ("Encoding") and plain ("Decoding");
sending the encoded one through a client that encodes again gives SERVICE_KEY_IS_NOT_REGISTERED_ERROR, so the key is
stored as typed and always sent decoded-then-encoded-once. And the gateway reports its own errors in an
OpenAPI_ServiceResponse/cmmMsgHeader body, as XML even when JSON was asked for and often with HTTP 200, while the
service itself reports in response.header.resultCode."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from apps.connectors.http import Answer, Credential, Service, call
from apps.flows.credential_kinds import CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, http_verdict, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.registry import register

KEY_PARAMETER = "serviceKey"
OK_CODES = frozenset({"00", "0", "000", "INFO-000"})
NO_DATA = frozenset({"03", "INFO-200"})


def normalise_key(key: str) -> str:
    """The decoded key, whichever of the portal's two forms was typed (a decoded key never contains "%")."""
    key = str(key or "").strip()
    return unquote(key) if "%" in key else key


_GATEWAY = {
    "01": gettext_noop("The public-data service had an application error (code %(code)s). Try again later or ask the provider."),
    "02": gettext_noop("The public-data service had a database error (code %(code)s). Try again later."),
    "04": gettext_noop("The public-data service had an HTTP error (code %(code)s). Try again later."),
    "05": gettext_noop("The public-data service timed out (code %(code)s). Try again later."),
    "10": gettext_noop("The public-data service refused a parameter (code %(code)s: %(reason)s). Check the parameters in the API's guide."),
    "11": gettext_noop("A required parameter is missing (code %(code)s: %(reason)s). Check the parameters in the API's guide."),
    "12": gettext_noop("This public-data API does not exist or was withdrawn (code %(code)s). Check the service address."),
    "20": gettext_noop(
        "Access to this public-data API is denied (code %(code)s). Check on data.go.kr → My Page → Data use "
        "(활용신청 현황) that the request was approved."
    ),
    "22": gettext_noop(
        "The daily request limit of this public-data API is used up (code %(code)s). It renews at midnight; request a "
        "larger limit on data.go.kr (활용신청 → 변경신청) or run the flow less often."
    ),
    "30": gettext_noop(
        "The service key is not registered or not yet approved for this API (code %(code)s). Use the key from "
        "data.go.kr → My Page → 일반 인증키 (Decoding), check that the use of this API was approved (approval can "
        "take up to an hour after applying), and check the service address."
    ),
    "31": gettext_noop(
        "The use of this public-data API has expired (code %(code)s). Extend it on data.go.kr → My Page → Data use (연장신청)."
    ),
    "32": gettext_noop(
        "This server's IP address is not registered for the API (code %(code)s). Register it on data.go.kr for this "
        "API, or remove the IP restriction."
    ),
    "33": gettext_noop("The call was not signed as the API requires (code %(code)s)."),
    "99": gettext_noop("The public-data service had an unknown error (code %(code)s: %(reason)s)."),
}
_AUTH_MESSAGES = {
    "SERVICE_KEY_IS_NOT_REGISTERED_ERROR": "30",
    "DEADLINE_HAS_EXPIRED_ERROR": "31",
    "UNREGISTERED_IP_ERROR": "32",
    "UNSIGNED_CALL_ERROR": "33",
    "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR": "22",
    "SERVICE_ACCESS_DENIED_ERROR": "20",
    "NO_OPENAPI_SERVICE_ERROR": "12",
    "INVALID_REQUEST_PARAMETER_ERROR": "10",
    "NO_MANDATORY_REQUEST_PARAMETERS_ERROR": "11",
}


def _error(code: str, reason: str, answer: Answer) -> NodeError:
    code = code.zfill(2) if code.isdecimal() else code
    template = _GATEWAY.get(code) or gettext_noop("The public-data service answered with error code %(code)s: %(reason)s.")
    return NodeError(template, code=f"public_data_{code}", detail=answer.text[:2000], values={"code": code, "reason": reason or "?"})


def _gateway_error(answer: Answer) -> NodeError | None:
    """The portal gateway's error (cmmMsgHeader, with any HTTP status) or a bare error name as text."""
    body = answer.data()
    if isinstance(body, dict):
        header = (
            (body.get("OpenAPI_ServiceResponse") or {}).get("cmmMsgHeader")
            if isinstance(body.get("OpenAPI_ServiceResponse"), dict)
            else None
        )
        if isinstance(header, dict):
            name = str(header.get("returnAuthMsg") or "")
            code = str(header.get("returnReasonCode") or _AUTH_MESSAGES.get(name, "99"))
            return _error(code, name or str(header.get("errMsg") or ""), answer)
        return None
    if isinstance(body, str):
        for name, code in _AUTH_MESSAGES.items():
            if name in body:
                return _error(code, name, answer)
    return None


PUBLIC_DATA = Service("public_data", "공공데이터포털", "https://apis.data.go.kr", _gateway_error)


@register_credential_kind
class DataGoKrKey(CredentialKind):
    icon = "public-data"
    key = "data_go_kr"
    label = t("Public Data Portal service key (data.go.kr)", "공공데이터포털 인증키(data.go.kr)")
    http_auth = True
    test_needs_url = True
    fields = (Field("service_key", t("Service key", "인증키")),)
    help = t(
        "공공데이터포털 (data.go.kr) → My Page → 일반 인증키 (Decoding). The Encoding key works too: EZFlow never "
        "encodes it twice. Apply for each API you use (활용신청) first.",
        "공공데이터포털(data.go.kr) → 마이페이지 → 일반 인증키(Decoding)를 붙여 넣으세요. Encoding 키를 넣어도 "
        "두 번 인코딩하지 않으니 괜찮습니다. 쓰려는 API마다 먼저 활용신청을 하세요.",
    )

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        request.query[KEY_PARAMETER] = normalise_key(data.get("service_key", ""))

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        """One call of the API at `url` (a service address from its guide): approved and registered keys answer data."""
        base, query = split_address(url)
        request = OutgoingRequest(query={**query, "numOfRows": 1, "pageNo": 1})
        self.authenticate(request, data)
        try:
            answer = send_probe(base, allow_hosts=allow_hosts, request=request)
        except ProbeFailed as failed:
            return failed.result
        refused = _gateway_error(Answer(answer.status, {}, answer.body, PUBLIC_DATA))
        if refused is not None:
            return TestResult(False, refused.template, refused.values)
        return http_verdict(answer)


def split_address(url: str) -> tuple[str, dict]:
    """The address without its query, and the query without any serviceKey pasted from the portal's examples."""
    parts = urlsplit(str(url or "").strip())
    query = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != KEY_PARAMETER}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def _service_error(data) -> tuple[str, str] | None:
    header = ((data.get("response") or {}).get("header") if isinstance(data.get("response"), dict) else None) or data.get("header")
    if not isinstance(header, dict) or "resultCode" not in header:
        return None
    return str(header.get("resultCode")), str(header.get("resultMsg") or "")


def rows_and_total(data, answer: Answer) -> tuple[list[dict], int | None]:
    """response.body.items.item as a list (one object becomes a list of one; nothing becomes an empty list)."""
    if not isinstance(data, dict):
        raise NodeError(
            gettext_noop("The public-data service answered something that is neither JSON nor XML."),
            code="public_data_bad_answer",
            detail=answer.text[:2000],
        )
    failure = _service_error(data)
    if failure is not None and failure[0] not in OK_CODES:
        if failure[0] in NO_DATA:
            return [], 0
        raise _error(failure[0], failure[1], answer)
    body = (data.get("response") or {}).get("body") if isinstance(data.get("response"), dict) else data.get("body")
    if not isinstance(body, dict):
        raise NodeError(
            gettext_noop("The answer has no response.body: is this a data.go.kr open API address?"),
            code="public_data_bad_answer",
            detail=answer.text[:2000],
        )
    items = body.get("items")
    if isinstance(items, dict):
        items = items.get("item")
    if items in (None, "", {}):
        rows = []
    elif isinstance(items, list):
        rows = items
    else:
        rows = [items]
    total = body.get("totalCount")
    try:
        total = int(total) if total not in (None, "") else None
    except (TypeError, ValueError):
        total = None
    return [row if isinstance(row, dict) else {"value": row} for row in rows], total


@register
class PublicDataCall(NodeType):
    key = "public_data.call"
    aliases = ("data.go.kr", "공공데이터", "public data")
    category = "action"
    icon = "public-data"
    label = t("Public data (data.go.kr) API", "공공데이터포털 API")
    description = t(
        "Calls an open API of data.go.kr with your service key and returns one item per row, page after page.",
        "공공데이터포털 오픈 API를 인증키로 호출하고, 페이지를 넘기며 행마다 항목 하나를 돌려줍니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("Service key", "인증키"),
            required=True,
            credential_type="data_go_kr",
            expressions=False,
        ),
        Param(
            "url",
            "string",
            t("Service address", "서비스 주소"),
            required=True,
            help=t(
                "The request address from the API's guide, e.g. https://apis.data.go.kr/B552584/ArpltnInforInqireSvc/getCtprvnRltmMesureDnsty",
                "API 활용 가이드의 요청 주소입니다. 예: https://apis.data.go.kr/B552584/ArpltnInforInqireSvc/getCtprvnRltmMesureDnsty",
            ),
        ),
        Param(
            "query",
            "keyvalue",
            t("Parameters", "요청 변수"),
            default={},
            help=t(
                "The API's request parameters, without serviceKey. For JSON answers most APIs take returnType=json or _type=json.",
                "serviceKey를 뺀 요청 변수입니다. JSON으로 받으려면 대부분 returnType=json 또는 _type=json을 넣습니다.",
            ),
        ),
        Param("all_pages", "boolean", t("Read every page", "모든 페이지 읽기"), default=True, expressions=False),
        Param(
            "rows_per_page", "integer", t("Rows per page (numOfRows)", "페이지당 행 수(numOfRows)"), default=100, minimum=1, maximum=1000
        ),
        Param("max_pages", "integer", t("At most pages", "최대 페이지 수"), default=10, minimum=1, maximum=100, expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "data_go_kr")
            out.extend(self._rows(ctx, credential, params))
        return {"main": out}

    def _rows(self, ctx, credential: Credential, params: dict) -> list[dict]:
        url, query = split_address(params["url"])
        if not url.lower().startswith(("http://", "https://")):
            raise NodeError(gettext_noop("The address must start with http:// or https://."), code="bad_url")
        query.update({str(k): v for k, v in (params.get("query") or {}).items() if str(k) != KEY_PARAMETER})
        rows_per_page = int(params["rows_per_page"])
        query.setdefault("numOfRows", rows_per_page)
        page = int(query.get("pageNo") or 1)
        pages = int(params["max_pages"]) if params["all_pages"] else 1
        rows: list[dict] = []
        for _ in range(pages):
            ctx.check_deadline()
            query["pageNo"] = page
            answer = call(ctx, PUBLIC_DATA, "GET", "", url=url, credential=credential, query=query)
            found, total = rows_and_total(answer.data(), answer)
            rows.extend(found)
            per_page = int(query.get("numOfRows") or rows_per_page)
            if not found or len(found) < per_page or (total is not None and page * per_page >= total):
                break
            page += 1
        return rows
