"""Parameters the offline AI steps share."""

from __future__ import annotations

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import Param, t

MAX_TEXT_CHARS = 100_000


def text_param(default: str = "{{ json.text }}") -> Param:
    return Param(
        "text",
        "text",
        t("Text", "텍스트"),
        required=True,
        default=default,
        help=t(
            "The text to read, usually a field of the item such as {{ json.message }}.",
            "읽을 텍스트입니다. 보통 {{ json.message }}처럼 항목의 필드를 씁니다.",
        ),
    )


def result_param(default: str) -> Param:
    return Param("result_field", "string", t("Put the result in the field", "결과를 넣을 필드"), default=default, expressions=False)


def text_of(params: dict) -> str:
    value = params.get("text")
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if len(value) > MAX_TEXT_CHARS:
        raise NodeError(
            gettext_noop("The text is longer than %(limit)s characters; split it before this step."),
            code="ai_text_too_long",
            values={"limit": f"{MAX_TEXT_CHARS:,}"},
        )
    return value
