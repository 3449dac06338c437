from __future__ import annotations

from apps.ai.offline.params import result_param, text_of, text_param
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register


@register
class Summarise(NodeType):
    key = "ai.summarize"
    aliases = ("summarize", "summarise", "summary", "요약")
    category = "transform"
    icon = "align-left"
    label = t("Summarise", "요약")
    description = t(
        "Picks the sentences that best cover a Korean or English text (extractive summary), in their original order. Runs offline.",
        "한국어·영어 텍스트에서 내용을 가장 잘 담은 문장을 원래 순서대로 골라 요약합니다(추출 요약). 오프라인으로 실행됩니다.",
    )
    params = (
        text_param(),
        Param("sentences", "integer", t("Number of sentences", "문장 수"), default=3, minimum=1, maximum=50, expressions=False),
        result_param("summary"),
    )

    def execute(self, ctx):
        from apps.ai.offline.summarise import summarise

        out = []
        for _index, item, params in ctx.each():
            chosen = summarise(text_of(params), min(max(int(params.get("sentences") or 3), 1), 50))
            result = copy_item(item)
            set_path(result, params["result_field"] or "summary", {"text": " ".join(chosen), "sentences": chosen})
            out.append(result)
        return {"main": out}


@register
class Keywords(NodeType):
    key = "ai.keywords"
    aliases = ("keywords", "키워드")
    category = "transform"
    icon = "tag"
    label = t("Keywords", "키워드 추출")
    description = t(
        "The main keywords of a text: Korean nouns found by morphological analysis (kiwipiepy), English words; and the "
        "names of people, organizations and places the analyser tags. Runs offline.",
        "텍스트의 핵심 키워드를 뽑습니다. 한국어는 형태소 분석(kiwipiepy)으로 찾은 명사, 영어는 단어이며, 분석기가 고유명사로 "
        "표시한 사람·기관·장소 이름도 함께 줍니다. 오프라인으로 실행됩니다.",
    )
    params = (
        text_param(),
        Param("count", "integer", t("Number of keywords", "키워드 수"), default=5, minimum=1, maximum=50, expressions=False),
        result_param("keywords"),
    )

    def execute(self, ctx):
        from apps.ai.offline.summarise import entities, keywords

        out = []
        for _index, item, params in ctx.each():
            text = text_of(params)
            found = keywords(text, min(max(int(params.get("count") or 5), 1), 50))
            result = copy_item(item)
            set_path(
                result,
                params["result_field"] or "keywords",
                {"keywords": [entry["keyword"] for entry in found], "scores": found, "names": entities(text)},
            )
            out.append(result)
        return {"main": out}
