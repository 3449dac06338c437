"""OAuth2 authorization code with PKCE (S256), built on authlib: the base of every "sign in with the service" kind.

A connector fills in `authorization_url`, `token_url`, `scopes` (and maybe `test_url`, `authorize_params`); the
generic kind ("oauth2" in builtin.py) lets the person type them. The client id and secret come from the organization's credential or,
when it has none, from the platform (EZFLOW_OAUTH_CLIENTS, keyed by kind). Tokens live in the credential's encrypted
data under TOKENS, never in a field, so no API answer or export can carry them. Every call to the provider goes
through the SSRF guard."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import ClassVar

import httpx2

from apps.flows.credential_kinds.base import CredentialKind, Field, OutgoingRequest, TestResult, label_text, t
from apps.flows.credential_kinds.probe import probe_http
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.http.guard import AllowList, GuardedTransport, guard_error

TOKENS = "_oauth2"
# Refresh this long before the provider's expiry, so a token never runs out during a request.
LEEWAY_SECONDS = 60
TIMEOUT_SECONDS = 15.0
CALLBACK_PATH = "/oauth2/callback/"

ENDPOINT_FIELDS = (
    Field("authorization_url", t("Authorization address", "인증 주소"), secret=False),
    Field("token_url", t("Token address", "토큰 주소"), secret=False),
    Field("scopes", t("Scopes (separated by spaces)", "범위(scope, 공백으로 구분)"), secret=False, required=False),
    Field("test_url", t("Address to test the connection (optional)", "연결 확인용 주소(선택)"), secret=False, required=False),
)
CLIENT_FIELDS = (
    Field("client_id", t("Client ID", "클라이언트 ID"), secret=False),
    Field("client_secret", t("Client secret", "클라이언트 시크릿")),
)


class OAuth2Failed(Exception):
    """The provider said no (`rejected`: the grant or client is refused, signing in again is needed) or could not be
    reached (a temporary failure: the stored tokens stay)."""

    def __init__(self, error: str, description: str = "", *, rejected: bool):
        super().__init__(f"{error}: {description}" if description else error)
        self.error, self.description, self.rejected = error, description, rejected


def platform_clients() -> dict:
    from django.conf import settings

    return getattr(settings, "EZFLOW_OAUTH_CLIENTS", None) or {}


class OAuth2Kind(CredentialKind):
    oauth2 = True
    http_auth = True
    authorization_url: ClassVar[str] = ""
    token_url: ClassVar[str] = ""
    scopes: ClassVar[tuple[str, ...]] = ()
    test_url: ClassVar[str] = ""
    authorize_params: ClassVar[dict] = {}
    token_endpoint_auth_method: ClassVar[str] = "client_secret_post"

    def platform_client(self) -> dict | None:
        client = platform_clients().get(self.key)
        return client if isinstance(client, dict) and client.get("client_id") else None

    def form_fields(self) -> tuple[Field, ...]:
        return self.fields + (() if self.authorization_url else ENDPOINT_FIELDS) + CLIENT_FIELDS

    def field_required(self, item: Field) -> bool:
        if item in CLIENT_FIELDS and self.platform_client():
            return False
        return item.required

    def problems(self, data: dict) -> list[tuple[str, dict]]:
        addresses = [f for f in ENDPOINT_FIELDS if f.name.endswith("_url")] if not self.authorization_url else []
        template = gettext_noop("“%(field)s” must be an address starting with https:// or http://.")
        return [
            (template, {"field": label_text(f.label)})
            for f in addresses
            if data.get(f.name) and not str(data[f.name]).lower().startswith(("https://", "http://"))
        ]

    def describe(self) -> dict:
        return {**super().describe(), "platform_client": self.platform_client() is not None, "redirect_path": CALLBACK_PATH}

    # ---- configuration ------------------------------------------------------------------------------------------

    def settings_for(self, data: dict) -> dict:
        own = bool(data.get("client_id"))
        platform = self.platform_client() or {}
        scopes = " ".join(self.scopes) if self.scopes else " ".join(str(data.get("scopes", "")).replace(",", " ").split())
        return {
            "authorization_url": self.authorization_url or data.get("authorization_url", ""),
            "token_url": self.token_url or data.get("token_url", ""),
            "scope": scopes or None,
            "client_id": data.get("client_id") if own else platform.get("client_id", ""),
            "client_secret": data.get("client_secret", "") if own else platform.get("client_secret", ""),
        }

    def _client(self, data: dict, *, allow_hosts: Iterable[str], redirect_uri: str | None = None, token: dict | None = None):
        # authlib (with the httpx it brings, ~25 MB) is imported on the first OAuth2 exchange, not in every process.
        from authlib.integrations.httpx_client import OAuth2Client

        config = self.settings_for(data)
        return OAuth2Client(
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            scope=config["scope"],
            redirect_uri=redirect_uri,
            token=token,
            token_endpoint_auth_method=self.token_endpoint_auth_method,
            code_challenge_method="S256",
            transport=GuardedTransport(AllowList(allow_hosts)),
            timeout=TIMEOUT_SECONDS,
            trust_env=False,
            follow_redirects=False,
        )

    # ---- the authorization-code flow ----------------------------------------------------------------------------

    def authorization_request(self, data: dict, *, redirect_uri: str, state: str) -> tuple[str, str]:
        """The provider's sign-in address, and the PKCE verifier to keep (server side) for the code exchange."""
        from authlib.common.security import generate_token

        verifier = generate_token(64)
        with self._client(data, allow_hosts=(), redirect_uri=redirect_uri) as client:
            url, _state = client.create_authorization_url(
                self.settings_for(data)["authorization_url"], state=state, code_verifier=verifier, **self.authorize_params
            )
        return url, verifier

    def exchange_code(self, data: dict, *, code: str, code_verifier: str, redirect_uri: str, allow_hosts: Iterable[str]) -> dict:
        with self._client(data, allow_hosts=allow_hosts, redirect_uri=redirect_uri) as client:
            return self._call(
                lambda: client.fetch_token(
                    self.settings_for(data)["token_url"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    redirect_uri=redirect_uri,
                )
            )

    def needs_refresh(self, data: dict, *, now: float | None = None) -> bool:
        expires_at = (data.get(TOKENS) or {}).get("expires_at")
        return bool(expires_at) and float(expires_at) - LEEWAY_SECONDS <= (now if now is not None else time.time())

    def refresh(self, data: dict, *, allow_hosts: Iterable[str]) -> dict:
        tokens = data.get(TOKENS) or {}
        if not tokens.get("refresh_token"):
            raise OAuth2Failed("no_refresh_token", "the service gave no refresh token", rejected=True)
        with self._client(data, allow_hosts=allow_hosts, token=dict(tokens)) as client:
            renewed = self._call(lambda: client.refresh_token(self.settings_for(data)["token_url"], refresh_token=tokens["refresh_token"]))
        # RFC 6749 §6: a provider may keep the refresh token (Google does) and then answers without one.
        renewed["refresh_token"] = renewed["refresh_token"] or tokens["refresh_token"]
        return renewed

    @staticmethod
    def _call(request) -> dict:
        from authlib.integrations.httpx_client import OAuthError

        try:
            token = request()
        except OAuthError as refused:
            raise OAuth2Failed(str(refused.error or "invalid_request"), str(refused.description or ""), rejected=True) from None
        except httpx2.HTTPStatusError as exc:
            status = exc.response.status_code
            raise OAuth2Failed(f"http_{status}", "", rejected=status in (400, 401, 403)) from None
        except httpx2.HTTPError as exc:
            refused = guard_error(exc)
            raise OAuth2Failed("unreachable", refused.template % refused.values if refused else str(exc), rejected=False) from None
        except ValueError as exc:  # not a JSON object: a gateway's error page
            raise OAuth2Failed("bad_response", str(exc), rejected=False) from None
        if not token.get("access_token"):
            raise OAuth2Failed("no_access_token", "the answer has no access_token", rejected=True)
        return {
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token", ""),
            "token_type": token.get("token_type", "Bearer"),
            "expires_at": int(token["expires_at"]) if token.get("expires_at") else None,
            "scope": token.get("scope", ""),
        }

    # ---- use ----------------------------------------------------------------------------------------------------

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        access_token = (data.get(TOKENS) or {}).get("access_token")
        if not access_token:
            raise NodeError(
                gettext_noop("The credential is not connected: an admin must connect it on the Credentials page first."),
                code="credential_reconnect",
            )
        request.headers["Authorization"] = f"Bearer {access_token}"

    def test(self, data, *, allow_hosts=(), url=""):
        """With an address: one call signed with the (fresh) access token. Without: having a fresh token is the test."""
        address = url or self.test_url or data.get("test_url", "")
        if address:
            return probe_http(self, data, allow_hosts=allow_hosts, url=address)
        if (data.get(TOKENS) or {}).get("access_token"):
            return TestResult(True, gettext_noop("Connected: the service issued a valid access token."))
        return TestResult(False, gettext_noop("Not connected yet: choose Connect to sign in with the service."))
