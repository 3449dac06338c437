"""Naver: Search (Naver Developers, X-Naver-Client-Id/Secret), Papago translation and CLOVA Studio chat (Naver Cloud).

Naver Developers answers errors as {"errorMessage": ..., "errorCode": "SE01"}; the Naver Cloud API gateway as
{"error": {"errorCode": "200", "message": ..., "details": ...}}; Papago's own as errorCode "N2MT0x"; CLOVA Studio as
{"status": {"code": "40100", "message": ...}}."""

from __future__ import annotations

import html
import re
import uuid

from apps.connectors.http import RATE_LIMITED, Answer, Credential, Service, call, provider_error
from apps.flows.credential_kinds import BearerTokenKind, CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.probe import ProbeFailed, http_verdict, send_probe
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

# ---- Naver Developers: Search ---------------------------------------------------------------------------------

_SEARCH_ERRORS = {
    "SE01": ("naver_bad_query", gettext_noop("Naver could not read the search (%(code)s: incorrect query). Check the search words.")),
    "SE02": (
        "naver_bad_display",
        gettext_noop("Naver refused the number of results (%(code)s): it must be 1 to 100 (1 to 5 for local search)."),
    ),
    "SE03": ("naver_bad_start", gettext_noop("Naver refused the start position (%(code)s): it must be 1 to 1000.")),
    "SE04": ("naver_bad_sort", gettext_noop("Naver refused the sort order (%(code)s): choose one this kind of search offers.")),
    "SE05": ("naver_bad_api", gettext_noop("Naver does not know this kind of search (%(code)s).")),
    "SE06": ("naver_bad_encoding", gettext_noop("Naver could not read the search words (%(code)s: the text must be UTF-8).")),
    "SE99": ("naver_unavailable", gettext_noop("Naver had an internal error (%(code)s). Run the step again in a few minutes.")),
    "024": (
        "naver_unauthorized",
        gettext_noop(
            "Naver refused the Client ID or Client Secret (%(code)s: authentication failed). Copy both again from Naver "
            "Developers → Application → My Applications, and check that the Search API is added to the application."
        ),
    ),
    "010": (
        "naver_quota",
        gettext_noop(
            "The application used up its daily Naver API quota (%(code)s). It renews at midnight (Korea time); run the flow less often."
        ),
    ),
    "011": (
        "naver_api_not_added",
        gettext_noop(
            "This API is not enabled for the Naver application (%(code)s). Add it under Naver Developers → Application → "
            "My Applications → API settings."
        ),
    ),
    "012": (
        RATE_LIMITED,
        gettext_noop("Naver is receiving requests too quickly from this application (%(code)s). Wait a little and run again."),
    ),
}


def _naver_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    if answer.status < 400 or not isinstance(body, dict) or "errorCode" not in body:
        return None
    code = str(body["errorCode"])
    error_code, template = _SEARCH_ERRORS.get(code) or (
        "naver_error",
        gettext_noop("Naver refused the request (%(code)s: %(reason)s)."),
    )
    return provider_error(
        template, code=error_code, service=NAVER, provider_code=code, answer=answer, reason=str(body.get("errorMessage", ""))
    )


NAVER = Service("naver", "Naver", "https://openapi.naver.com", _naver_error)


@register_credential_kind
class NaverDevelopers(CredentialKind):
    icon = "naver"
    key = "naver_developers"
    label = t("Naver Developers application (Client ID/Secret)", "네이버 개발자센터 애플리케이션(Client ID/Secret)")
    http_auth = True
    fields = (Field("client_id", t("Client ID", "Client ID"), secret=False), Field("client_secret", t("Client Secret", "Client Secret")))
    help = t(
        "Naver Developers (developers.naver.com) → Application → My Applications → your application: Client ID and "
        "Client Secret. Add the APIs you use (e.g. Search) to the application.",
        "네이버 개발자센터(developers.naver.com) → Application → 내 애플리케이션 → 해당 애플리케이션의 Client ID와 "
        "Client Secret입니다. 쓰려는 API(예: 검색)를 애플리케이션에 추가하세요.",
    )

    def authenticate(self, request, data):
        request.headers["X-Naver-Client-Id"] = data.get("client_id", "")
        request.headers["X-Naver-Client-Secret"] = data.get("client_secret", "")

    def test(self, data, *, allow_hosts=(), url="") -> TestResult:
        request = OutgoingRequest()
        self.authenticate(request, data)
        try:
            answer = send_probe(url or NAVER.url("/v1/search/news.json?query=test&display=1"), allow_hosts=allow_hosts, request=request)
        except ProbeFailed as failed:
            return failed.result
        return http_verdict(answer)


SEARCH_TYPES = (
    ("news", t("news", "뉴스")),
    ("blog", t("blogs", "블로그")),
    ("cafearticle", t("cafe posts", "카페글")),
    ("shop", t("shopping", "쇼핑")),
    ("image", t("images", "이미지")),
    ("local", t("local places", "지역")),
    ("encyc", t("encyclopedia", "백과사전")),
)
SORTS = {
    "news": ("sim", "date"),
    "blog": ("sim", "date"),
    "cafearticle": ("sim", "date"),
    "shop": ("sim", "date", "asc", "dsc"),
    "image": ("sim", "date"),
    "local": ("random", "comment"),
    "encyc": (),
}
_TAG = re.compile(r"<[^>]*>")
# Fields in which Naver marks the search words with <b>...</b> (and escapes the text as HTML).
MARKED_FIELDS = ("title", "description")


def clean_text(marked: str) -> str:
    return html.unescape(_TAG.sub("", marked or ""))


def _result_item(entry: dict, *, rank: int, total) -> dict:
    item = dict(entry)
    for name in MARKED_FIELDS:
        if isinstance(entry.get(name), str):
            item[f"{name}_html"] = entry[name]
            item[name] = clean_text(entry[name])
    item["rank"], item["search_total"] = rank, total
    return item


@register
class NaverSearch(NodeType):
    key = "naver.search"
    aliases = ("naver news", "naver blog", "네이버 뉴스", "네이버 블로그", "네이버 쇼핑")
    category = "action"
    icon = "naver"
    label = t("Naver search", "네이버 검색")
    description = t(
        "Searches Naver news, blogs, cafes, shopping, images, places or the encyclopedia; one item per result.",
        "네이버 뉴스·블로그·카페·쇼핑·이미지·지역·백과사전을 검색합니다. 결과마다 항목 하나를 냅니다.",
    )
    params = (
        Param(
            "credential",
            "credential",
            t("Naver application", "네이버 애플리케이션"),
            required=True,
            credential_type="naver_developers",
            expressions=False,
        ),
        Param("search_type", "select", t("Search in", "검색 대상"), default="news", expressions=False, options=SEARCH_TYPES),
        Param("query", "string", t("Search words", "검색어"), required=True),
        Param(
            "display",
            "integer",
            t("Number of results", "결과 수"),
            default=10,
            minimum=1,
            maximum=100,
            help=t("1 to 100 (local places: at most 5).", "1~100개(지역 검색은 최대 5개)."),
        ),
        Param("start", "integer", t("Start at result", "시작 위치"), default=1, minimum=1, maximum=1000),
        Param(
            "sort",
            "select",
            t("Order", "정렬"),
            default="sim",
            options=(
                ("sim", t("most relevant first", "정확도순")),
                ("date", t("newest first", "최신순")),
                ("asc", t("lowest price first (shopping)", "가격 낮은순(쇼핑)")),
                ("dsc", t("highest price first (shopping)", "가격 높은순(쇼핑)")),
                ("random", t("as Naver ranks (local)", "정확도순(지역)")),
                ("comment", t("most reviewed (local)", "리뷰 많은순(지역)")),
            ),
        ),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, _item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "naver_developers")
            kind = params["search_type"]
            if kind not in SORTS:
                raise NodeError(gettext_noop("Unknown kind of search “%(type)s”."), code="bad_search_type", values={"type": str(kind)})
            query = {"query": str(params["query"]), "display": int(params["display"]), "start": int(params["start"])}
            if not query["query"].strip():
                raise NodeError(gettext_noop("Fill in the search words."), code="bad_query")
            sort = params.get("sort") or ""
            if SORTS[kind]:
                # A default that this kind of search lacks means "its own default order".
                query["sort"] = sort if sort in SORTS[kind] else SORTS[kind][0]
            body = call(ctx, NAVER, "GET", f"/v1/search/{kind}.json", credential=credential, query=query).json() or {}
            start, total = int(body.get("start") or query["start"]), body.get("total")
            out.extend(_result_item(entry, rank=start + offset, total=total) for offset, entry in enumerate(body.get("items") or []))
        return {"main": out}


# ---- Naver Cloud: Papago and CLOVA Studio --------------------------------------------------------------------

_GATEWAY_ERRORS = {
    "200": (
        "ncp_unauthorized",
        gettext_noop(
            "Naver Cloud refused the API key (%(code)s: authentication failed). Copy the Client ID and Client Secret "
            "again from the Naver Cloud console → AI·NAVER API → Application → Authentication information."
        ),
    ),
    "210": (
        "ncp_not_subscribed",
        gettext_noop(
            "The Naver Cloud application may not use this API (%(code)s: permission denied). In the console → AI·NAVER "
            "API → Application → Edit, tick the API (e.g. Papago Translation)."
        ),
    ),
    "429": (RATE_LIMITED, gettext_noop("The Naver Cloud quota for this API is used up (%(code)s). Raise it in the console or wait.")),
    "430": (RATE_LIMITED, gettext_noop("Naver Cloud is receiving requests too quickly (%(code)s). Wait a little and run again.")),
}
_PAPAGO_ERRORS = {
    "N2MT02": ("papago_bad_language", gettext_noop("Papago does not translate from this language (%(code)s).")),
    "N2MT04": ("papago_bad_language", gettext_noop("Papago does not translate into this language (%(code)s).")),
    "N2MT05": ("papago_same_language", gettext_noop("The source and target languages are the same (%(code)s); choose another target.")),
    "N2MT06": ("papago_bad_language", gettext_noop("Papago has no translator for this pair of languages (%(code)s).")),
    "N2MT07": ("papago_no_text", gettext_noop("There is no text to translate (%(code)s).")),
    "N2MT08": ("papago_too_long", gettext_noop("The text is too long for Papago (%(code)s): at most 5,000 characters per call.")),
}


def _ncp_error(answer: Answer, service: Service) -> NodeError | None:
    body = answer.data()
    if answer.status < 400 or not isinstance(body, dict):
        return None
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    code = str(error.get("errorCode") or "")
    if not code:
        return None
    known = _GATEWAY_ERRORS.get(code) or _PAPAGO_ERRORS.get(code)
    reason = str(error.get("message") or error.get("errorMessage") or "")
    if known is None:
        template = gettext_noop("%(service)s refused the request (%(code)s: %(reason)s).")
        return provider_error(template, code="ncp_error", service=service, provider_code=code, answer=answer, reason=reason)
    return provider_error(known[1], code=known[0], service=service, provider_code=code, answer=answer, reason=reason)


PAPAGO = Service("papago", "Papago", "https://papago.apigw.ntruss.com", lambda answer: _ncp_error(answer, PAPAGO))


@register_credential_kind
class NaverCloudApiKey(CredentialKind):
    icon = "naver_cloud"
    key = "ncp_api_gateway"
    label = t("Naver Cloud AI·NAVER API key (Papago)", "네이버 클라우드 AI·NAVER API 키(파파고)")
    http_auth = True
    fields = (
        Field("key_id", t("Client ID (X-NCP-APIGW-API-KEY-ID)", "Client ID(X-NCP-APIGW-API-KEY-ID)"), secret=False),
        Field("key", t("Client Secret (X-NCP-APIGW-API-KEY)", "Client Secret(X-NCP-APIGW-API-KEY)")),
    )
    help = t(
        "Naver Cloud Platform console → Services → AI·NAVER API → Application → your application → Authentication "
        "information: Client ID and Client Secret. Tick Papago Translation for the application.",
        "네이버 클라우드 플랫폼 콘솔 → Services → AI·NAVER API → Application → 해당 애플리케이션 → 인증 정보의 "
        "Client ID와 Client Secret입니다. 애플리케이션에서 Papago Translation을 선택해 두세요.",
    )

    def authenticate(self, request, data):
        request.headers["X-NCP-APIGW-API-KEY-ID"] = data.get("key_id", "")
        request.headers["X-NCP-APIGW-API-KEY"] = data.get("key", "")


LANGUAGES = (
    ("ko", t("Korean", "한국어")),
    ("en", t("English", "영어")),
    ("ja", t("Japanese", "일본어")),
    ("zh-CN", t("Chinese (simplified)", "중국어 간체")),
    ("zh-TW", t("Chinese (traditional)", "중국어 번체")),
    ("vi", t("Vietnamese", "베트남어")),
    ("th", t("Thai", "태국어")),
    ("id", t("Indonesian", "인도네시아어")),
    ("fr", t("French", "프랑스어")),
    ("es", t("Spanish", "스페인어")),
    ("ru", t("Russian", "러시아어")),
    ("de", t("German", "독일어")),
    ("it", t("Italian", "이탈리아어")),
)


@register
class PapagoTranslate(NodeType):
    key = "naver.papago_translate"
    aliases = ("papago", "파파고", "번역", "translate")
    category = "action"
    icon = "naver_cloud"
    label = t("Translate with Papago", "파파고로 번역")
    description = t("Translates a text with Naver Papago (Naver Cloud).", "네이버 파파고(네이버 클라우드)로 글을 번역합니다.")
    params = (
        Param(
            "credential",
            "credential",
            t("Naver Cloud API key", "네이버 클라우드 API 키"),
            required=True,
            credential_type="ncp_api_gateway",
            expressions=False,
        ),
        Param("source", "select", t("From", "원문 언어"), default="auto", options=(("auto", t("detect", "자동 감지")), *LANGUAGES)),
        Param("target", "select", t("Into", "번역할 언어"), default="en", options=LANGUAGES),
        Param("text", "text", t("Text", "글"), required=True),
        Param("honorific", "boolean", t("Polite Korean (존댓말)", "존댓말로 번역"), default=False, expressions=False),
        Param("output_field", "string", t("Put the translation in", "번역을 넣을 필드"), default="translation", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "ncp_api_gateway")
            form = {"source": params["source"], "target": params["target"], "text": str(params["text"])}
            if params["honorific"]:
                form["honorific"] = "true"
            body = call(ctx, PAPAGO, "POST", "/nmt/v1/translation", credential=credential, form=form).json() or {}
            result = ((body.get("message") or {}).get("result")) or {}
            translated = copy_item(item)
            set_path(
                translated,
                params["output_field"] or "translation",
                {
                    "text": result.get("translatedText", ""),
                    "source": result.get("srcLangType", ""),
                    "target": result.get("tarLangType", ""),
                },
            )
            out.append(translated)
        return {"main": out}


def _clova_error(answer: Answer) -> NodeError | None:
    body = answer.data()
    status = body.get("status") if isinstance(body, dict) else None
    code = str(status.get("code", "")) if isinstance(status, dict) else ""
    if not code or code.startswith("2"):
        return None
    reason = str(status.get("message", ""))
    if code.startswith("401"):
        template = gettext_noop(
            "CLOVA Studio refused the API key (%(code)s: %(reason)s). Issue a key in CLOVA Studio → API keys and update "
            "the credential on the Connections page."
        )
        return provider_error(template, code="clova_unauthorized", service=CLOVA, provider_code=code, answer=answer, reason=reason)
    if code.startswith("429"):
        template = gettext_noop("CLOVA Studio is receiving too many requests (%(code)s: %(reason)s). Wait a little and run again.")
        return provider_error(template, code=RATE_LIMITED, service=CLOVA, provider_code=code, answer=answer, reason=reason)
    if code.startswith("404"):
        template = gettext_noop("CLOVA Studio does not know this model (%(code)s). Check the model name, e.g. HCX-003.")
        return provider_error(template, code="clova_unknown_model", service=CLOVA, provider_code=code, answer=answer)
    template = gettext_noop("CLOVA Studio refused the request (%(code)s: %(reason)s).")
    return provider_error(template, code="clova_error", service=CLOVA, provider_code=code, answer=answer, reason=reason)


CLOVA = Service("clova_studio", "CLOVA Studio", "https://clovastudio.stream.ntruss.com", _clova_error)
_MODEL = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@register_credential_kind
class ClovaStudioKey(BearerTokenKind):
    icon = "naver_cloud"
    key = "clova_studio"
    label = t("CLOVA Studio API key", "CLOVA Studio API 키")
    token_field = "api_key"
    fields = (Field("api_key", t("API key", "API 키")),)
    help = t(
        "CLOVA Studio (Naver Cloud) → the profile menu at the top right → API keys → issue a test or service API key.",
        "CLOVA Studio(네이버 클라우드) → 오른쪽 위 프로필 메뉴 → API 키 → 테스트 또는 서비스 API 키를 발급하세요.",
    )


@register
class ClovaChat(NodeType):
    key = "naver.clova_chat"
    category = "action"
    icon = "naver_cloud"
    label = t("CLOVA Studio chat", "CLOVA Studio 대화")
    description = t(
        "Asks a HyperCLOVA X model (CLOVA Studio) and returns its answer.", "HyperCLOVA X 모델(CLOVA Studio)에게 묻고 답을 돌려줍니다."
    )
    params = (
        Param(
            "credential",
            "credential",
            t("CLOVA Studio API key", "CLOVA Studio API 키"),
            required=True,
            credential_type="clova_studio",
            expressions=False,
        ),
        Param("model", "string", t("Model", "모델"), default="HCX-003", expressions=False),
        Param("system", "text", t("Instructions (system)", "지시문(시스템)"), default=""),
        Param("prompt", "text", t("Message", "메시지"), required=True),
        Param("max_tokens", "integer", t("Longest answer (tokens)", "최대 답변 길이(토큰)"), default=256, minimum=1, maximum=4096),
        Param("temperature", "number", t("Creativity (temperature)", "창의성(temperature)"), default=0.5, minimum=0, maximum=1),
        Param("output_field", "string", t("Put the answer in", "답을 넣을 필드"), default="clova", expressions=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "clova_studio")
            model = str(params["model"] or "")
            if not _MODEL.match(model):
                raise NodeError(gettext_noop("“%(model)s” is not a model name."), code="bad_model", values={"model": model})
            messages = ([{"role": "system", "content": str(params["system"])}] if params["system"] else []) + [
                {"role": "user", "content": str(params["prompt"])}
            ]
            body = {
                "messages": messages,
                "maxTokens": int(params["max_tokens"]),
                "temperature": float(params["temperature"]),
                "topP": 0.8,
                "topK": 0,
                "repetitionPenalty": 1.1,
            }
            answer = call(
                ctx,
                CLOVA,
                "POST",
                f"/v3/chat-completions/{model}",
                credential=credential,
                headers={"X-NCP-CLOVASTUDIO-REQUEST-ID": uuid.uuid4().hex},
                json_body=body,
                timeout=60.0,
            ).json()
            result = (answer or {}).get("result") or {}
            replied = copy_item(item)
            set_path(
                replied,
                params["output_field"] or "clova",
                {
                    "text": (result.get("message") or {}).get("content", ""),
                    "stop_reason": result.get("stopReason", ""),
                    "usage": result.get("usage") or {},
                },
            )
            out.append(replied)
        return {"main": out}
