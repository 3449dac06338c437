from __future__ import annotations

from apps.ai.offline.params import result_param, text_of, text_param
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register


@register
class Sentiment(NodeType):
    key = "ai.sentiment"
    aliases = ("sentiment", "감정", "감성 분석", "긍정", "부정", "positive or negative")
    category = "transform"
    icon = "smile"
    label = t("Sentiment", "감정 분석")
    description = t(
        "Tells whether a Korean or English text is positive, negative or neutral, with a score from -1 to 1. Runs here, "
        "offline, with no API key.",
        "한국어·영어 텍스트가 긍정, 부정, 중립 중 무엇인지 -1~1 점수와 함께 알려 줍니다. API 키 없이 이 서버에서 실행됩니다.",
    )
    params = (
        text_param(),
        Param(
            "language",
            "select",
            t("Language", "언어"),
            default="auto",
            expressions=False,
            options=(("auto", t("detect", "자동 감지")), ("ko", t("Korean", "한국어")), ("en", t("English", "영어"))),
        ),
        result_param("sentiment"),
    )

    def execute(self, ctx):
        from apps.ai.offline.sentiment import analyse

        out = []
        for _index, item, params in ctx.each():
            result = copy_item(item)
            set_path(result, params["result_field"] or "sentiment", analyse(text_of(params), params["language"]).as_dict())
            out.append(result)
        return {"main": out}
