from __future__ import annotations

from apps.ai.offline.params import result_param, text_of, text_param
from apps.flows.nodes.base import NodeType, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register


@register
class DetectLanguage(NodeType):
    key = "ai.language"
    category = "transform"
    icon = "globe"
    label = t("Detect language", "언어 감지")
    description = t(
        "Tells which language a text is written in (ko, en, ja, zh, fr, de, es) with a confidence. Runs offline.",
        "텍스트가 어떤 언어(ko, en, ja, zh, fr, de, es)로 쓰였는지 신뢰도와 함께 알려 줍니다. 오프라인으로 실행됩니다.",
    )
    params = (text_param(), result_param("language"))

    def execute(self, ctx):
        from apps.ai.offline.language import detect

        out = []
        for _index, item, params in ctx.each():
            language, confidence = detect(text_of(params))
            result = copy_item(item)
            set_path(result, params["result_field"] or "language", {"code": language, "confidence": confidence})
            out.append(result)
        return {"main": out}
