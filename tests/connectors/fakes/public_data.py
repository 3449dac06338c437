"""An open API of 공공데이터포털 behind its gateway: the air-quality service (B552584 ArpltnInforInqireSvc).

The gateway checks serviceKey first and answers its own OpenAPI_ServiceResponse/cmmMsgHeader in XML with HTTP 200
(even when returnType=json was asked for); the service answers response.header/body in XML or, with returnType=json,
JSON, paged by pageNo/numOfRows with totalCount."""

from __future__ import annotations

from xml.sax.saxutils import escape

from tests.connectors.fakes.base import FakeService

PATH = "/B552584/ArpltnInforInqireSvc/getCtprvnRltmMesureDnsty"
# A decoded key as the portal shows it: with "+", "/" and "=", which must reach the gateway encoded exactly once.
DECODED_KEY = "Xk9+abc/DEF12==" * 2
ENCODED_KEY = DECODED_KEY.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
STATIONS = [{"stationName": f"측정소{n}", "sidoName": "서울", "pm10Value": str(30 + n), "pm25Value": str(10 + n)} for n in range(1, 6)]


def gateway_error(code: str, name: str):
    body = (
        "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        f"<returnAuthMsg>{name}</returnAuthMsg><returnReasonCode>{code}</returnReasonCode>"
        "</cmmMsgHeader></OpenAPI_ServiceResponse>"
    )
    return 200, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode()


class FakePublicData(FakeService):
    def __init__(self):
        super().__init__()
        self.stations = list(STATIONS)
        self.gateway_refusal: tuple[str, str] | None = None  # (code, returnAuthMsg) for every call
        self.routes[PATH] = self._air

    def _air(self, request):
        query = request["query"]
        if self.gateway_refusal:
            return gateway_error(*self.gateway_refusal)
        if query.get("serviceKey") != DECODED_KEY:
            return gateway_error("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR")
        if not query.get("sidoName"):
            return self._answer(query, "11", "NO_MANDATORY_REQUEST_PARAMETERS_ERROR", [])
        page, rows = int(query.get("pageNo", 1)), int(query.get("numOfRows", 10))
        matching = [s for s in self.stations if s["sidoName"] == query["sidoName"]]
        if not matching:
            return self._answer(query, "03", "NODATA_ERROR", [])
        return self._answer(query, "00", "NORMAL_CODE", matching[(page - 1) * rows : page * rows], total=len(matching))

    def _answer(self, query, code, message, items, total=0):
        page, rows = int(query.get("pageNo", 1)), int(query.get("numOfRows", 10))
        if query.get("returnType") == "json":
            body = {"totalCount": total, "items": items, "pageNo": page, "numOfRows": rows}
            return 200, {}, {"response": {"header": {"resultCode": code, "resultMsg": message}, "body": body}}
        xml_items = "".join("<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>" for item in items)
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><response><header>'
            f"<resultCode>{code}</resultCode><resultMsg>{message}</resultMsg></header><body><items>{xml_items}</items>"
            f"<numOfRows>{rows}</numOfRows><pageNo>{page}</pageNo><totalCount>{total}</totalCount></body></response>"
        )
        return 200, {"Content-Type": "application/xml;charset=UTF-8"}, xml.encode()
