"""Parameters the AI steps share, and the parts of a model request they build the same way."""

from __future__ import annotations

from collections.abc import Sequence

from apps.ai.providers import registry
from apps.flows.nodes.base import Param, t


class ProviderOptions(Sequence):
    """Every registered provider, read from the registry when asked (providers may register after this module)."""

    def _options(self) -> tuple:
        return tuple((provider.key, provider.label) for provider in registry.all_providers())

    def __getitem__(self, index):
        return self._options()[index]

    def __len__(self) -> int:
        return len(self._options())


def connection_params() -> tuple[Param, ...]:
    return (
        Param(
            "provider",
            "select",
            t("AI service", "AI 서비스"),
            default="anthropic",
            expressions=False,
            options=ProviderOptions(),
            help=t(
                "Anthropic (Claude) or any server speaking the OpenAI chat API, such as your own model server.",
                "Anthropic(Claude) 또는 OpenAI 채팅 API를 쓰는 서버(자체 모델 서버 등)입니다.",
            ),
        ),
        Param(
            "credential",
            "credential",
            t("Credential", "자격 증명"),
            required=True,
            expressions=False,
            help=t(
                "An Anthropic API key, or an OpenAI-compatible server (address and key).",
                "Anthropic API 키 또는 OpenAI 호환 서버(주소와 키)입니다.",
            ),
        ),
        Param(
            "model",
            "string",
            t("Model", "모델"),
            default="",
            expressions=False,
            help=t(
                "Empty: the platform's default model for Anthropic. For your own server, type its model name.",
                "비워 두면 Anthropic의 기본 모델을 씁니다. 자체 서버라면 모델 이름을 입력하세요.",
            ),
        ),
        Param("system", "text", t("Instructions (system prompt)", "지시문(시스템 프롬프트)"), default=""),
        Param("prompt", "text", t("Prompt", "프롬프트"), required=True),
    )


def tuning_params() -> tuple[Param, ...]:
    return (
        Param(
            "temperature",
            "number",
            t("Temperature", "온도"),
            default=None,
            minimum=0,
            maximum=2,
            expressions=False,
            help=t(
                "For OpenAI-compatible servers; empty: the model's default. Lower is more predictable. Claude models set their own.",
                "OpenAI 호환 서버용입니다. 비워 두면 모델 기본값이며, 낮을수록 일관된 답을 합니다. Claude 모델은 스스로 정합니다.",
            ),
        ),
        Param(
            "max_tokens",
            "integer",
            t("Longest answer (tokens)", "최대 답변 길이(토큰)"),
            default=1024,
            minimum=1,
            maximum=64_000,
            expressions=False,
        ),
        Param("result_field", "string", t("Put the answer in the field", "답을 넣을 필드"), default="ai", expressions=False),
        Param(
            "answer_only",
            "boolean",
            t("Only the answer in the field", "필드에 답만 넣기"),
            default=False,
            expressions=False,
            help=t(
                "On: the field holds the answer itself (the text, or the fields of a structured answer), as n8n's AI nodes give "
                "it. Off: the answer with the model's name, stop reason and usage.",
                "켜면 필드에 답 자체(텍스트 또는 구조화된 답의 필드)만 넣습니다(n8n의 AI 노드와 같은 모양). 끄면 모델 이름, 종료 이유, "
                "사용량도 함께 넣습니다.",
            ),
        ),
    )


def add_usage(total: dict | None, usage: dict) -> dict:
    if total is None:
        return dict(usage)
    cost = None if total["cost_usd"] is None or usage["cost_usd"] is None else round(total["cost_usd"] + usage["cost_usd"], 6)
    return {
        "input_tokens": total["input_tokens"] + usage["input_tokens"],
        "output_tokens": total["output_tokens"] + usage["output_tokens"],
        "total_tokens": total["total_tokens"] + usage["total_tokens"],
        "cost_usd": cost,
    }


def temperature(value) -> float | None:
    return None if value in (None, "") else float(value)
