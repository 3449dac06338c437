from __future__ import annotations

from apps.ai.offline.params import result_param, text_of, text_param
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

_KINDS = (
    (
        "dates",
        t("Dates and times", "날짜와 시간"),
        t(
            "Relative ones too (다음주 화요일 오후 3시, 모레, next Friday), in the organization's time zone.",
            "상대 표현(다음주 화요일 오후 3시, 모레 등)도 조직의 시간대 기준으로 바꿉니다.",
        ),
    ),
    ("money", t("Amounts of money", "금액"), t("3만 5천원, ₩12,000, $30 …", "3만 5천원, ₩12,000, $30 등")),
    ("phones", t("Phone numbers", "전화번호"), {}),
    ("emails", t("E-mail addresses", "이메일 주소"), {}),
    ("urls", t("Web addresses", "웹 주소"), {}),
    (
        "business_numbers",
        t("Business registration numbers", "사업자등록번호"),
        t("With their check digit verified (valid: true/false).", "검증 번호를 확인합니다(valid: true/false)."),
    ),
)


@register
class Extract(NodeType):
    key = "ai.extract"
    category = "transform"
    icon = "search"
    label = t("Extract dates, amounts and contacts", "날짜·금액·연락처 추출")
    description = t(
        "Finds dates and times (also relative ones, as ISO in the organization's time zone), amounts of money, phone "
        "numbers, e-mail and web addresses and business registration numbers in a text. Runs offline.",
        "텍스트에서 날짜와 시간(상대 표현 포함, 조직 시간대의 ISO 형식), 금액, 전화번호, 이메일·웹 주소, 사업자등록번호를 "
        "찾습니다. 오프라인으로 실행됩니다.",
    )
    params = (
        text_param(),
        *(Param(name, "boolean", label, default=True, expressions=False, help=help_) for name, label, help_ in _KINDS),
        Param(
            "names",
            "boolean",
            t("Names of people, organizations and places (Korean)", "사람·기관·장소 이름(한국어)"),
            default=False,
            expressions=False,
            help=t(
                "The proper nouns the Korean morphological analyser tags; loads the analyser (about 230 MB) on first use.",
                "한국어 형태소 분석기가 고유명사로 표시한 단어입니다. 처음 쓸 때 분석기(약 230MB)를 불러옵니다.",
            ),
        ),
        result_param("extracted"),
    )

    def execute(self, ctx):
        from apps.ai.offline.extract import extract

        now = ctx.host.now()
        out = []
        for _index, item, params in ctx.each():
            kinds = tuple(name for name, _label, _help in _KINDS if params.get(name)) + (("names",) if params.get("names") else ())
            result = copy_item(item)
            set_path(result, params["result_field"] or "extracted", extract(text_of(params), now, kinds))
            out.append(result)
        return {"main": out}
