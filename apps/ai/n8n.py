"""Converters from n8n's AI nodes (the LangChain agent, LLM chain and OpenAI nodes) to the AI steps.

n8n builds an AI step from a root node and sub-nodes hung on it (a chat model, tools, a memory, an output parser).
The chat model and the tools EZFlow's agent has become the step's settings; the rest is named in a warning and kept
as a placeholder step, so the person sees what the agent had.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from apps.flows.nodes.n8n import Converted, convert_expression, warning

LANGCHAIN = "@n8n/n8n-nodes-langchain."
CHAT_MODEL = "ai_languageModel"
ABSORBED = (CHAT_MODEL, "ai_tool", "ai_outputParser")
ANTHROPIC = ("lmChatAnthropic",)
OPENAI = ("lmChatOpenAi", "lmOpenAi", "lmChatAzureOpenAi")


def _model_name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("value") or value.get("cachedResultName") or ""
    return str(value or "")


def _answer_shape(node: dict, parameters: dict) -> dict:
    field = parameters.get("result_field", "ai")
    where = f"{field}.data" if parameters.get("output_format") == "json" else f"{field}.text"
    return warning(node, "ai_answer_shape", f"The answer is in “{where}” here; change the later expressions that read n8n's answer field.")


def _model(node: dict, parameters: dict, warnings: list) -> None:
    models = (node.get("_attached") or {}).get(CHAT_MODEL) or []
    if not models:
        return
    model = models[0]
    kind = str(model.get("type", "")).rsplit(".", 1)[-1]
    p = model.get("parameters") or {}
    options = p.get("options") or {}
    parameters["provider"] = "anthropic" if kind in ANTHROPIC else "openai_compatible"
    parameters["model"] = _model_name(p.get("model") or p.get("modelName"))
    if not parameters["model"].strip():  # n8n leaves its own default out of the export: the platform's default is used
        warnings.append(_default_model(node, parameters["provider"]))
    if isinstance(options.get("temperature"), int | float):
        parameters["temperature"] = options["temperature"]
    if isinstance(options.get("maxTokens"), int) and options["maxTokens"] > 0:
        parameters["max_tokens"] = options["maxTokens"]
    if kind not in ANTHROPIC + OPENAI:
        warnings.append(
            warning(
                node,
                "ai_review",
                f"The chat model “{kind}” is called as an OpenAI-compatible service: check its address in the credential.",
            )
        )


def _default_model(node: dict, provider: str) -> dict:
    offered = (settings.EZFLOW_AI_MODELS or {}).get(provider) or []
    if offered:
        text = f"The export names no model: the platform's default model for this AI service ({offered[0]}) is used."
    else:
        text = "The export names no model and this AI service has no default model on this platform: type the model's name."
    return warning(node, "ai_model_default", text)


def _answer_as_n8n(parameters: dict, field: str) -> None:
    """The answer itself in the field n8n's node gives it in ({output: …} or {text: …}), so the later steps' n8n
    expressions (`$json.output.vote`) read what they read in n8n."""
    parameters["result_field"], parameters["answer_only"] = field, True


def _prompt(node: dict, warnings: list) -> str:
    p = node.get("parameters") or {}
    if p.get("promptType", "auto") == "auto" and "text" not in p:
        return "={{ $json.chatInput }}"  # n8n's default: the chat trigger's message
    return convert_expression(p.get("text", ""), warnings, node.get("name", ""), "prompt")


def agent(node: dict) -> Converted:
    warnings: list[dict] = []
    p = node.get("parameters") or {}
    options = p.get("options") or {}
    parameters: dict = {"prompt": _prompt(node, warnings), "system": options.get("systemMessage", "")}
    _model(node, parameters, warnings)
    tools = [str(t.get("type", "")).rsplit(".", 1)[-1] for t in (node.get("_attached") or {}).get("ai_tool") or []]
    parameters["tool_calculator"] = "toolCalculator" in tools
    parameters["tool_http_get"] = "toolHttpRequest" in tools
    parameters["tool_current_time"] = True
    other = [tool for tool in tools if tool not in ("toolCalculator", "toolHttpRequest")]
    if other:
        warnings.append(warning(node, "ai_review", f"These tools have no EZFlow equivalent yet and were left out: {', '.join(other)}."))
    if isinstance(options.get("maxIterations"), int):
        parameters["max_steps"] = max(1, min(options["maxIterations"], 20))
    warnings.append(warning(node, "credential_not_imported", "Choose the AI service's credential (credentials are never imported)."))
    _answer_as_n8n(parameters, "output")  # n8n's agent answers {output: "…"}
    if (node.get("_attached") or {}).get("ai_outputParser") or p.get("hasOutputParser"):
        warnings.append(
            warning(node, "ai_answer_shape", "n8n parsed the agent's answer into fields under “output”; here it is the answer's text.")
        )
    return parameters, warnings


def chain(node: dict) -> Converted:
    warnings: list[dict] = []
    p = node.get("parameters") or {}
    parameters: dict = {"prompt": _prompt(node, warnings)}
    system = [
        m.get("message", "") for m in (p.get("messages") or {}).get("messageValues") or [] if m.get("type") == "SystemMessagePromptTemplate"
    ]
    if system:
        parameters["system"] = convert_expression(system[0], warnings, node.get("name", ""), "system")
    _model(node, parameters, warnings)
    parsers = (node.get("_attached") or {}).get("ai_outputParser") or []
    fields = next((found for found in (_schema_fields(x.get("parameters") or {}) for x in parsers) if found), [])
    if fields:  # the Structured Output Parser's schema becomes the answer fields
        parameters["output_format"], parameters["output_fields"] = "json", fields
    elif parsers or p.get("hasOutputParser"):
        parameters["output_format"] = "json"
        warnings.append(warning(node, "ai_review", "n8n parsed the answer with a schema; here the answer is asked for as JSON."))
    warnings.append(warning(node, "credential_not_imported", "Choose the AI service's credential (credentials are never imported)."))
    # n8n's chain answers {output: {…parsed fields}} with an output parser, else {text: "…"}
    _answer_as_n8n(parameters, "output" if parameters.get("output_format") == "json" else "text")
    return parameters, warnings


def is_openai_text(node: dict) -> bool:
    p = node.get("parameters") or {}
    return p.get("resource", "text") in ("text", "chat", "completion") and p.get("operation", "message") in (
        "message",
        "complete",
        "create",
    )


def openai(node: dict) -> Converted:
    """n8n's OpenAI node (its message operation) and the older base-package one (chat/completion)."""
    warnings: list[dict] = []
    p = node.get("parameters") or {}
    name = node.get("name", "")
    prompt_value = p.get("prompt")
    messages = (p.get("messages") or {}).get("values") or (prompt_value.get("messages") if isinstance(prompt_value, dict) else None) or []
    system = [m.get("content", "") for m in messages if m.get("role") == "system"]
    user = [m.get("content", "") for m in messages if m.get("role", "user") not in ("system", "assistant")]
    prompt = user[-1] if user else prompt_value if isinstance(prompt_value, str) else ""
    parameters: dict = {
        "provider": "openai_compatible",
        "model": _model_name(p.get("modelId") or p.get("model") or "gpt-4o-mini"),
        "prompt": convert_expression(prompt, warnings, name, "prompt"),
    }
    if system:
        parameters["system"] = convert_expression(system[0], warnings, name, "system")
    if p.get("jsonOutput"):
        parameters["output_format"] = "json"
    warnings.append(warning(node, "credential_not_imported", "Choose the AI service's credential (credentials are never imported)."))
    warnings.append(_answer_shape(node, parameters))
    return parameters, warnings


_FIELD_TYPES = {"string": "text", "number": "number", "integer": "integer", "boolean": "boolean", "array": "list", "object": "object"}


def _schema_fields(p: dict) -> list[dict]:
    """The fields n8n's Information Extractor asks for: its attribute list, a JSON schema, or a JSON example."""
    attributes = (p.get("attributes") or {}).get("attributes") or []
    if attributes:
        return [
            {
                "name": a.get("name", ""),
                "type": _FIELD_TYPES.get(a.get("type", "string"), "text"),
                "description": a.get("description", ""),
                "required": bool(a.get("required", False)),
            }
            for a in attributes
        ]
    try:
        if p.get("schemaType") == "manual":
            schema = json.loads(p.get("inputSchema") or "{}")
            required = set(schema.get("required") or [])
            return [
                {
                    "name": k,
                    "type": _FIELD_TYPES.get(v.get("type", "string"), "text"),
                    "description": v.get("description", ""),
                    "required": k in required,
                }
                for k, v in (schema.get("properties") or {}).items()
            ]
        example = json.loads(p.get("jsonSchemaExample") or "{}")
    except (ValueError, AttributeError):
        return []
    kinds = {str: "text", bool: "boolean", int: "integer", float: "number", list: "list", dict: "object"}
    return [{"name": k, "type": kinds.get(type(v), "text"), "description": "", "required": True} for k, v in example.items()]


def information_extractor(node: dict) -> Converted:
    warnings: list[dict] = []
    p = node.get("parameters") or {}
    parameters: dict = {
        "prompt": convert_expression(p.get("text", ""), warnings, node.get("name", ""), "prompt"),
        "system": (p.get("options") or {}).get("systemPromptTemplate", "Extract the requested information from the text."),
        "output_format": "json",
        "output_fields": _schema_fields(p),
    }
    _answer_as_n8n(parameters, "output")  # n8n's extractor answers {output: {…the attributes}}
    if not parameters["output_fields"]:
        warnings.append(warning(node, "ai_review", "The fields to extract could not be read; list them in the step."))
    _model(node, parameters, warnings)
    warnings.append(warning(node, "credential_not_imported", "Choose the AI service's credential (credentials are never imported)."))
    return parameters, warnings


def summarization(node: dict) -> Converted:
    warnings: list[dict] = []
    p = node.get("parameters") or {}
    prompts = ((p.get("options") or {}).get("summarizationMethodAndPrompts") or {}).get("values") or {}
    prompt = prompts.get("prompt") or "=Write a concise summary of the following:\n\n{{ JSON.stringify($json) }}\n\nCONCISE SUMMARY:"
    if prompts.get("combineMapPrompt") or p.get("chunkSize"):
        warnings.append(warning(node, "ai_review", "n8n summarized long texts in chunks; here the text is sent in one request."))
    parameters: dict = {"prompt": convert_expression(prompt, warnings, node.get("name", ""), "prompt"), "result_field": "response"}
    _model(node, parameters, warnings)
    warnings.append(warning(node, "credential_not_imported", "Choose the AI service's credential (credentials are never imported)."))
    warnings.append(_answer_shape(node, parameters))
    return parameters, warnings
