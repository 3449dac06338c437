"""What the Google services share.

Google APIs answer errors as {"error": {"code": 403, "message": ..., "status": "PERMISSION_DENIED", "errors":
[{"reason": "rateLimitExceeded", ...}], "details": [...]}} (https://cloud.google.com/apis/design/errors). The sign-in
is Google's OAuth2 authorization code flow with PKCE; `access_type=offline` and `prompt=consent` make Google give a
refresh token every time someone connects, and Google keeps the refresh token the same when it refreshes."""

from __future__ import annotations

import re
import time
from typing import ClassVar

from apps.connectors.http import RATE_LIMITED, TOKEN_EXPIRED, Answer, Service, provider_error
from apps.flows.credential_kinds import t
from apps.flows.credential_kinds.oauth2 import OAuth2Kind
from apps.flows.engine.errors import NodeError, gettext_noop

GOOGLE_AUTH = Service("google_auth", "Google", "https://accounts.google.com")
GOOGLE_TOKEN = Service("google_oauth2", "Google", "https://oauth2.googleapis.com")

_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded", "RATE_LIMIT_EXCEEDED"}
_SCOPE_REASONS = {"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions"}


def _reasons(error: dict) -> set[str]:
    found = {str(e.get("reason", "")) for e in error.get("errors") or [] if isinstance(e, dict)}
    found |= {str(d.get("reason", "")) for d in error.get("details") or [] if isinstance(d, dict)}
    return found - {""}


def google_error(answer: Answer) -> NodeError | None:
    if answer.status < 400:
        return None
    body = answer.data()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None  # not Google's shape (a proxy's page): the shared HTTP errors say it
    status, message = str(error.get("status") or error.get("code") or answer.status), str(error.get("message", ""))
    reasons = _reasons(error)
    service = answer.service

    def said(template, code):
        return provider_error(template, code=code, service=service, provider_code=status, answer=answer, reason=message)

    if answer.status == 429 or status == "RESOURCE_EXHAUSTED":
        return None  # the shared rate-limit handling (waits once for a short Retry-After)
    if answer.status == 401 or status == "UNAUTHENTICATED":
        return said(
            gettext_noop(
                "%(service)s no longer accepts this Google sign-in (%(code)s: the access token expired or was revoked). "
                "Choose Reconnect for the credential on the Connections page."
            ),
            TOKEN_EXPIRED,
        )
    if reasons & _RATE_REASONS:
        return said(
            gettext_noop(
                "%(service)s is receiving too many requests from this account (%(code)s: %(reason)s). Wait a little "
                "and run the step again, or run the flow less often."
            ),
            RATE_LIMITED,
        )
    if reasons & _SCOPE_REASONS or "insufficient authentication scopes" in message.lower():
        return said(
            gettext_noop(
                "The Google sign-in lacks the permission this step needs (%(code)s: %(reason)s). Choose Reconnect on "
                "the Connections page and tick every permission Google asks for."
            ),
            "google_insufficient_scopes",
        )
    if answer.status == 403 or status == "PERMISSION_DENIED":
        return said(
            gettext_noop(
                "%(service)s refused access (%(code)s: %(reason)s). Check that the file is shared with the Google "
                "account of this credential (at least as an editor to change it), and that the API is enabled."
            ),
            "google_permission_denied",
        )
    if answer.status == 404 or status == "NOT_FOUND":
        return said(
            gettext_noop("%(service)s could not find it (%(code)s: %(reason)s). Check the address or ID, and the sheet's name."),
            "google_not_found",
        )
    if answer.status == 400 or status in ("INVALID_ARGUMENT", "FAILED_PRECONDITION"):
        return said(gettext_noop("%(service)s refused the request as wrong (%(code)s: %(reason)s)."), "google_bad_request")
    if answer.status >= 500:
        return said(
            gettext_noop("%(service)s is unavailable right now (%(code)s). Run the step again in a few minutes."),
            "google_unavailable",
        )
    return said(gettext_noop("%(service)s refused the request (%(code)s: %(reason)s)."), "google_error")


class GoogleOAuth2(OAuth2Kind):
    """Sign in with Google for one service: the scopes are the service's own, so the consent screen asks for no more
    than the steps need."""

    authorize_params: ClassVar[dict] = {"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"}
    help = t(
        "Google Cloud console → APIs & Services: enable the API of this service; under Credentials, create an OAuth "
        "client ID of type “Web application”, add the redirect address shown on the Connections page, and copy the "
        "client ID and client secret here. Until the app is published, add the Google accounts that will sign in as "
        "test users on the OAuth consent screen.",
        "Google Cloud 콘솔 → API 및 서비스: 이 서비스의 API를 사용 설정하고, 사용자 인증 정보에서 유형이 “웹 "
        "애플리케이션”인 OAuth 클라이언트 ID를 만든 뒤 연결 페이지에 보이는 리디렉션 주소를 추가하고 클라이언트 ID와 "
        "클라이언트 보안 비밀번호를 여기에 붙여 넣으세요. 앱을 게시하기 전에는 로그인할 Google 계정을 OAuth 동의 화면의 "
        "테스트 사용자로 추가해야 합니다.",
    )

    @property
    def authorization_url(self) -> str:
        return GOOGLE_AUTH.url("/o/oauth2/v2/auth")

    @property
    def token_url(self) -> str:
        return GOOGLE_TOKEN.url("/token")


_SPREADSHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_SPREADSHEET_ID = re.compile(r"^[A-Za-z0-9_-]{20,}$")
_GID = re.compile(r"[#&?]gid=(\d+)")


def spreadsheet_id(value) -> str:
    """The id from what a person pastes: the address of the open spreadsheet, or the id itself."""
    text = str(value or "").strip()
    found = _SPREADSHEET_URL.search(text)
    if found:
        return found.group(1)
    if _SPREADSHEET_ID.match(text):
        return text
    raise NodeError(
        gettext_noop(
            "“%(value)s” is not a Google spreadsheet. Paste the address of the open spreadsheet "
            "(https://docs.google.com/spreadsheets/d/…) or its ID."
        ),
        code="bad_spreadsheet",
        values={"value": text[:200]},
    )


class PollContext:
    """What `apps.connectors.http.call` needs from a step's context, for a polling trigger that asks outside a run."""

    def __init__(self, host, *, seconds: float = 60.0):
        self.host, self.deadline = host, time.monotonic() + seconds

    def credential(self, credential_id, credential_type):
        if credential_id in (None, ""):
            raise NodeError(gettext_noop("Choose a credential for this step."), code="credential_missing")
        return self.host.credential(credential_id, credential_type)

    def renew_credential(self, credential_id, credential_type, *, refused_token):
        renew = getattr(self.host, "credential_renewed", None)
        return renew(credential_id, credential_type, refused_token=refused_token) if renew else None

    def seconds_left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)
