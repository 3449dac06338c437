"""Naver Developers search (openapi.naver.com), Papago on the Naver Cloud gateway and CLOVA Studio, with their real
answer bodies and error codes."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService

CLIENT_ID, CLIENT_SECRET = "naver-client-id", "naver-client-secret"
NCP_KEY_ID, NCP_KEY = "ncp-key-id", "ncp-key-secret"
CLOVA_KEY = "nv-clova-key-123"

NEWS = [
    {
        "title": "<b>반도체</b> 수출 &quot;역대 최대&quot;",
        "originallink": "https://press.example.com/1",
        "link": "https://n.news.naver.com/article/1",
        "description": "올해 <b>반도체</b> 수출이 크게 늘었다 &amp; 전망도 밝다",
        "pubDate": "Mon, 07 Dec 2026 09:00:00 +0900",
    },
    {
        "title": "AI <b>반도체</b> 투자",
        "originallink": "https://press.example.com/2",
        "link": "https://n.news.naver.com/article/2",
        "description": "투자 확대",
        "pubDate": "Mon, 07 Dec 2026 08:00:00 +0900",
    },
]
SORTS = {"news": {"sim", "date"}, "blog": {"sim", "date"}, "cafearticle": {"sim", "date"}, "shop": {"sim", "date", "asc", "dsc"}}
SORTS |= {"image": {"sim", "date"}, "local": {"random", "comment"}, "encyc": set()}


def _error(status, code, message):
    return status, {}, {"errorMessage": message, "errorCode": code}


class FakeNaver(FakeService):
    def __init__(self):
        super().__init__()
        for kind in SORTS:
            self.routes[f"/v1/search/{kind}.json"] = lambda request, kind=kind: self._search(kind, request)

    def _search(self, kind, request):
        headers, query = request["headers"], request["query"]
        if headers.get("X-Naver-Client-Id") != CLIENT_ID or headers.get("X-Naver-Client-Secret") != CLIENT_SECRET:
            return _error(401, "024", "Authentication failed. (인증에 실패했습니다.)")
        if not query.get("query"):
            return _error(400, "SE01", "Incorrect query request (잘못된 쿼리요청입니다.)")
        display, start = int(query.get("display", 10)), int(query.get("start", 1))
        if not 1 <= display <= (5 if kind == "local" else 100):
            return _error(400, "SE02", "Invalid display value (부적절한 display 값입니다.)")
        if not 1 <= start <= 1000:
            return _error(400, "SE03", "Invalid start value (부적절한 start 값입니다.)")
        if "sort" in query and query["sort"] not in SORTS[kind]:
            return _error(400, "SE04", "Invalid sort value (부적절한 sort 값입니다.)")
        items = NEWS[start - 1 : start - 1 + display] if kind == "news" else []
        return (
            200,
            {},
            {"lastBuildDate": "Mon, 07 Dec 2026 10:00:00 +0900", "total": 2, "start": start, "display": len(items), "items": items},
        )


class FakePapago(FakeService):
    """POST /nmt/v1/translation with source, target, text as a form; gateway errors as {"error": {...}}."""

    def __init__(self):
        super().__init__()
        self.routes["/nmt/v1/translation"] = self._translate

    def _translate(self, request):
        headers = request["headers"]
        if headers.get("X-NCP-APIGW-API-KEY-ID") != NCP_KEY_ID or headers.get("X-NCP-APIGW-API-KEY") != NCP_KEY:
            return (
                401,
                {},
                {"error": {"errorCode": "200", "message": "Authentication Failed", "details": "Invalid authentication information."}},
            )
        form = self.form(request)
        source = form.get("source")
        if source == "auto":
            source = "ko"
        if source == form.get("target"):
            return 400, {}, {"error": {"errorCode": "N2MT05", "message": "source and target must be different"}}
        if not form.get("text"):
            return 400, {}, {"error": {"errorCode": "N2MT07", "message": "text parameter is needed"}}
        translated = {"안녕하세요": "Hello", "감사합니다": "Thank you"}.get(form["text"], f"[{form['target']}] {form['text']}")
        if form.get("honorific") == "true":
            translated += " (polite)"
        result = {"srcLangType": source, "tarLangType": form["target"], "translatedText": translated}
        return 200, {}, {"message": {"@type": "response", "@service": "naverservice.nmt.proxy", "@version": "1.0.0", "result": result}}


class FakeClova(FakeService):
    """POST /v3/chat-completions/{model} with a Bearer API key and a request id."""

    MODELS = {"HCX-003", "HCX-005"}

    def __init__(self):
        super().__init__()
        for model in self.MODELS | {"HCX-UNKNOWN"}:
            self.routes[f"/v3/chat-completions/{model}"] = lambda request, model=model: self._chat(model, request)

    def _chat(self, model, request):
        if self.bearer(request) != CLOVA_KEY:
            return 401, {}, {"status": {"code": "40100", "message": "Unauthorized"}}
        assert request["headers"].get("X-NCP-CLOVASTUDIO-REQUEST-ID")
        if model not in self.MODELS:
            return 404, {}, {"status": {"code": "40400", "message": "Not Found"}}
        body = self.json_body(request)
        assert body["messages"][-1]["role"] == "user" and body["maxTokens"] >= 1
        question = body["messages"][-1]["content"]
        result = {
            "message": {"role": "assistant", "content": f"답변: {question}"},
            "inputLength": 10,
            "outputLength": 5,
            "stopReason": "stop_before",
            "seed": 1,
            "aiFilter": [],
            "usage": {"promptTokens": 10, "completionTokens": 5, "totalTokens": 15},
        }
        return 200, {}, {"status": {"code": "20000", "message": "OK"}, "result": result}
