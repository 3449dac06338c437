"""Ask a language model: a prompt per item (with images if the item has them), answered as text or as JSON that
fits fields the person lists."""

from __future__ import annotations

from apps.ai import calls, images, n8n, structured
from apps.ai.nodes.builtin.common import add_usage, connection_params, temperature, tuning_params
from apps.ai.pricing import Tally
from apps.ai.providers.base import AssistantTurn, ChatRequest, UserTurn
from apps.ai.usage import budget_check, usage_record
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, get_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

FIELD_TYPE_OPTIONS = (
    ("text", t("text", "텍스트")),
    ("number", t("number", "숫자")),
    ("integer", t("whole number", "정수")),
    ("boolean", t("yes/no", "예/아니요")),
    ("list", t("list of texts", "텍스트 목록")),
    ("object", t("object", "객체")),
)


@register
class AskModel(NodeType):
    key = "ai.llm"
    n8n = (
        N8nMapping((n8n.LANGCHAIN + "chainLlm",), n8n.chain, absorbs=n8n.ABSORBED),
        N8nMapping((n8n.LANGCHAIN + "informationExtractor",), n8n.information_extractor, absorbs=(n8n.CHAT_MODEL,)),
        N8nMapping((n8n.LANGCHAIN + "chainSummarization",), n8n.summarization, absorbs=(n8n.CHAT_MODEL,)),
        N8nMapping((n8n.LANGCHAIN + "openAi", "n8n-nodes-base.openAi"), n8n.openai, when=n8n.is_openai_text),
    )
    category = "action"
    icon = "sparkles"
    label = t("Ask an AI model", "AI 답변 생성")
    description = t(
        "Sends a prompt (and images) to a language model such as Claude or your own model server and adds its answer, "
        "as text or as fields you list.",
        "프롬프트(와 이미지)를 Claude나 자체 모델 서버 같은 언어 모델에 보내고, 답을 텍스트 또는 지정한 필드로 추가합니다.",
    )
    side_effects = True  # each call costs money: its result is saved at once and never repeated on a resumed run
    params = (
        *connection_params(),
        Param(
            "image_field",
            "string",
            t("Image field (optional)", "이미지 필드(선택)"),
            default="",
            expressions=False,
            help=t(
                "A field of the item holding an image (data URL, base64, an address, or a file from the HTTP step) or a list of them.",
                "이미지(data URL, base64, 주소 또는 HTTP 단계의 파일)나 그 목록이 들어 있는 항목의 필드입니다.",
            ),
        ),
        Param(
            "output_format",
            "select",
            t("Answer as", "답변 형식"),
            default="text",
            expressions=False,
            options=(("text", t("text", "텍스트")), ("json", t("fields (structured JSON)", "필드(구조화된 JSON)"))),
        ),
        Param(
            "output_fields",
            "list",
            t("Answer fields", "답변 필드"),
            default=[],
            expressions=False,
            help=t(
                "For a structured answer: each field's name, type and what it should contain. The answer is checked; if it does "
                "not fit, the model is asked once more with the problems.",
                "구조화된 답변의 필드 이름, 형식, 설명입니다. 답이 맞지 않으면 문제점을 알려 주고 한 번 더 묻습니다.",
            ),
            item_fields=(
                Param("name", "string", t("Name", "이름"), expressions=False),
                Param("type", "select", t("Type", "형식"), default="text", options=FIELD_TYPE_OPTIONS, expressions=False),
                Param("description", "string", t("Description", "설명"), default="", expressions=False),
                Param("required", "boolean", t("Required", "필수"), default=True, expressions=False),
            ),
        ),
        *tuning_params(),
    )

    def execute(self, ctx):
        raw = {**{p.name: p.default for p in self.params}, **ctx.node.parameters}  # options, never expressions
        provider = calls.provider_for(raw.get("provider", "anthropic"))
        model = calls.model_for(provider, raw.get("model"))
        schema = None
        if raw.get("output_format") == "json":
            schema = structured.checked_schema(structured.schema_from_fields(raw.get("output_fields")))
        budget_check(ctx)
        tally = Tally(provider=provider.key)
        out = []
        try:
            for index, item, params in ctx.each():
                credential = ctx.credential(params["credential"], provider.credential_kind)
                out.append(self._one(ctx, provider, credential, model, schema, item, params, tally, _stream(ctx, index)))
        finally:
            usage_record(ctx, tally)
        return {"main": out}

    def _one(self, ctx, provider, credential, model, schema, item, params, tally, stream=None) -> dict:
        system = str(params.get("system") or "")
        if schema is not None:
            system = f"{system}\n\n{structured.instructions(schema)}".strip()
        pictures = images.images_from(ctx, get_path(item, params["image_field"])) if params.get("image_field") else ()
        request = ChatRequest(
            model=model,
            system=system,
            turns=[UserTurn(str(params.get("prompt") or ""), pictures)],
            max_tokens=int(params["max_tokens"]),
            temperature=temperature(params.get("temperature")) if provider.takes_temperature else None,
            answer_schema=schema,
            on_text=stream,
        )
        reply, usage = calls.chat(ctx, provider, credential, request, tally)
        answer = {"text": reply.text}
        if schema is not None:
            data, found = structured.problems(reply.text, schema)
            if found:
                request.turns += [AssistantTurn(reply.text), UserTurn(structured.retry_prompt(found))]
                if stream is not None:
                    stream.restart()
                reply, second = calls.chat(ctx, provider, credential, request, tally)
                usage = add_usage(usage, second)
                data, found = structured.problems(reply.text, schema)
            if found:
                raise NodeError(
                    gettext_noop("The model's answer did not fit the answer fields, even when asked again: %(problems)s"),
                    code="ai_invalid_output",
                    values={"problems": "; ".join(found)},
                    detail=reply.text[:2000],
                )
            answer = {"text": reply.text, "data": data}
        if stream is not None:
            stream.finish()
        result = copy_item(item)
        if params.get("answer_only"):  # as n8n's chain and extractor nodes give it: {output: {...}} or {text: "..."}
            result[params["result_field"] or "ai"] = answer["data"] if schema is not None else answer["text"]
            return result
        result[params["result_field"] or "ai"] = {
            **answer,
            "provider": provider.key,
            "model": reply.model or model,
            "stop_reason": reply.stop_reason,
            "usage": usage,
        }
        return result


def _stream(ctx, index: int):
    """The answer shown while it is written, when a person tests this step in the editor (apps/ai/streaming.py)."""
    if not getattr(ctx.host, "tester_id", None):
        return None
    from apps.ai.streaming import text_stream

    return text_stream(ctx, index)
