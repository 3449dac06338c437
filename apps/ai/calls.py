"""One model call from a step: the provider and its credential, retries with back-off within the step's timeout,
usage counted, and provider errors said as the step's error."""

from __future__ import annotations

from django.conf import settings

from apps.ai.pricing import Tally
from apps.ai.providers import registry
from apps.ai.providers.base import ChatRequest, Provider, ProviderError, Reply
from apps.flows.engine.errors import NodeError, gettext_noop


def provider_for(key) -> Provider:
    provider = registry.get(key)
    if provider is None:
        raise NodeError(gettext_noop("Unknown AI provider “%(provider)s”."), code="ai_unknown_provider", values={"provider": str(key)})
    return provider


def model_for(provider: Provider, model) -> str:
    """The model the step names, or the platform's default for the provider (the first in EZFLOW_AI_MODELS)."""
    model = str(model or "").strip()
    if model:
        return model
    offered = (settings.EZFLOW_AI_MODELS or {}).get(provider.key) or []
    if not offered:
        raise NodeError(gettext_noop("Type the name of the model to use on this server."), code="ai_model_missing")
    return str(offered[0])


def node_error(error: ProviderError) -> NodeError:
    return NodeError(error.template, code=error.code, values=error.values, detail=error.detail)


def chat(ctx, provider: Provider, credential: dict, request: ChatRequest, tally: Tally) -> tuple[Reply, dict]:
    """The model's reply and the usage of this call. Rate limits, overloads and server errors are retried up to
    EZFLOW_AI_MAX_RETRIES times, after the server's retry-after or 1, 2, 4 ... seconds, as long as the step's timeout
    leaves time for it."""
    request.allow_hosts = tuple(ctx.host.http_allow_hosts)
    for attempt in range(int(settings.EZFLOW_AI_MAX_RETRIES) + 1):
        ctx.check_deadline()
        request.timeout = max(min(request.timeout, ctx.seconds_left()), 1.0)
        try:
            reply = provider.chat(request, credential)
        except ProviderError as error:
            if not error.retryable or attempt >= int(settings.EZFLOW_AI_MAX_RETRIES):
                raise node_error(error) from None
            wait = error.retry_after if error.retry_after is not None else 2.0**attempt
            wait = min(wait, float(settings.EZFLOW_AI_MAX_BACKOFF_SECONDS))
            if wait >= ctx.seconds_left() - 1.0:
                raise node_error(error) from None  # no time left to wait within the step's timeout
            tally.retries += 1
            if hasattr(request.on_text, "restart"):
                request.on_text.restart()  # the text shown so far is replaced by the next attempt's
            ctx.executor.sleep(wait)
            continue
        return reply, tally.add(reply.model or request.model, reply.input_tokens, reply.output_tokens)
    raise AssertionError("unreachable")
