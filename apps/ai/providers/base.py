"""What a model provider is, in provider-neutral terms: a conversation goes in, text and tool calls come out.

A conversation is a list of turns:
- `UserTurn(text, images)`: the person's prompt (images as base64 with their media type);
- `AssistantTurn(text, tool_calls)`: what the model said before, including the tools it asked for;
- `ToolResults(results)`: the answers to those tool calls.
Each provider turns these into its own request body and its answer back into a `Reply`. Errors become a
`ProviderError` with a stable code, so the steps say the same clear thing whatever the provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Image:
    media_type: str
    data: str  # base64


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict  # JSON schema of the arguments (an object)


@dataclass(frozen=True)
class UserTurn:
    text: str
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class AssistantTurn:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    content: str
    is_error: bool = False


@dataclass(frozen=True)
class ToolResults:
    results: tuple[ToolResult, ...]


Turn = UserTurn | AssistantTurn | ToolResults


@dataclass
class ChatRequest:
    model: str
    system: str
    turns: list[Turn]
    max_tokens: int
    temperature: float | None = None
    tools: tuple[ToolSpec, ...] = ()
    timeout: float = 60.0
    answer_schema: dict | None = None  # a JSON schema the answer must fit (providers that can constrain it do)
    allow_hosts: tuple[str, ...] = ()  # internal hosts the organization allowed (a local model server)
    # Set when someone watches the answer being written (the editor's step test): the provider streams and calls it
    # with each piece of text as it arrives. The Reply at the end is the same as without streaming.
    on_text: Callable[[str], None] | None = None


@dataclass
class Reply:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    stop_reason: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    model: str = ""


@dataclass
class ProviderError(Exception):
    """`template` is English marked with gettext_noop; `retryable` errors (rate limit, overload, server error) are
    tried again after `retry_after` seconds or a back-off."""

    template: str
    code: str
    values: dict = field(default_factory=dict)
    retryable: bool = False
    retry_after: float | None = None
    detail: str = ""

    def __str__(self) -> str:
        return self.template % self.values if self.values else self.template


class Provider:
    key: ClassVar[str]
    label: ClassVar[dict[str, str]]
    credential_kind: ClassVar[str]
    # The model must be typed in the step (a local server has its own names); otherwise settings give a default.
    needs_model: ClassVar[bool] = False
    # Whether the provider's API takes a sampling temperature (Anthropic's current Messages API does not).
    takes_temperature: ClassVar[bool] = True

    def chat(self, request: ChatRequest, credential: dict) -> Reply:
        raise NotImplementedError
