"""HTTP answers of model APIs as the same few clear errors, whatever the provider."""

from __future__ import annotations

import email.utils
import time

from apps.ai.providers.base import ProviderError
from apps.flows.engine.errors import gettext_noop

_QUOTA_WORDS = ("credit balance", "insufficient_quota", "quota", "billing")
_TOO_LONG_WORDS = ("prompt is too long", "context_length_exceeded", "context length", "maximum context", "too many tokens")


def retry_after_seconds(headers) -> float | None:
    """The server's wish (retry-after-ms, retry-after in seconds or as a date), if it said one."""
    try:
        if headers.get("retry-after-ms"):
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            return max(float(email.utils.mktime_tz(parsed) - time.time()), 0.0) if parsed else None
    except (TypeError, ValueError, OverflowError):
        return None


def status_error(status: int, *, message: str, error_type: str = "", error_code: str = "", model: str = "", headers=None) -> ProviderError:
    """The error for a model API's answer `status`; `message`, `error_type` and `error_code` are what its body said."""
    said = f"{error_type} {error_code} {message}".lower()
    detail = message[:1000]
    retry_after = retry_after_seconds(headers) if headers is not None else None
    if any(word in said for word in _QUOTA_WORDS) or status == 402:
        return ProviderError(
            gettext_noop(
                "The AI service says the account has no credit or quota left. Check the plan and billing of the account behind the key."
            ),
            code="ai_quota",
            detail=detail,
        )
    if status in (401, 403) or "authentication" in said or "invalid_api_key" in said:
        return ProviderError(
            gettext_noop(
                "The AI service refused the API key (%(status)s). Check the key in the credential; it may be wrong, expired or revoked."
            ),
            code="ai_bad_key",
            values={"status": str(status)},
            detail=detail,
        )
    if status == 413 or any(word in said for word in _TOO_LONG_WORDS):
        return ProviderError(
            gettext_noop(
                "The prompt is too long for the model (its context window). Send less text or fewer images, or choose a model "
                "with a longer context."
            ),
            code="ai_context_too_long",
            detail=detail,
        )
    if status == 429:
        return ProviderError(
            gettext_noop(
                "The AI service's rate limit was reached and it still refused after retrying. Try again later or lower how often "
                "the flow runs."
            ),
            code="ai_rate_limited",
            retryable=True,
            retry_after=retry_after,
            detail=detail,
        )
    if status == 529 or "overloaded" in said:
        return ProviderError(
            gettext_noop("The AI service is overloaded and still was after retrying. Try again in a few minutes."),
            code="ai_overloaded",
            retryable=True,
            retry_after=retry_after,
            detail=detail,
        )
    if status == 404:
        return ProviderError(
            gettext_noop("The AI service does not know the model “%(model)s” or the address. Check the model name."),
            code="ai_model_not_found",
            values={"model": model},
            detail=detail,
        )
    if status in (408, 409) or status >= 500:
        return ProviderError(
            gettext_noop("The AI service had a problem (%(status)s) and still had after retrying: %(reason)s"),
            code="ai_server_error",
            values={"status": str(status), "reason": message[:300]},
            retryable=True,
            retry_after=retry_after,
            detail=detail,
        )
    return ProviderError(
        gettext_noop("The AI service refused the request (%(status)s): %(reason)s"),
        code="ai_bad_request",
        values={"status": str(status), "reason": message[:300]},
        detail=detail,
    )


def unreachable(reason: str) -> ProviderError:
    return ProviderError(
        gettext_noop("The AI service could not be reached: %(reason)s"), code="ai_unreachable", values={"reason": reason}, retryable=True
    )


def timed_out(seconds: float) -> ProviderError:
    return ProviderError(
        gettext_noop("The AI service did not answer within %(seconds)s seconds."), code="timeout", values={"seconds": f"{seconds:g}"}
    )
