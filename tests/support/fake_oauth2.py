"""A local OAuth2 provider for tests (real HTTP on 127.0.0.1, never the internet), with the shapes of RFC 6749 and
RFC 7636: the authorization endpoint redirects back with `code` and `state` (or `error=access_denied`); the token
endpoint answers JSON with access_token, token_type, expires_in, refresh_token and scope, or the RFC's errors
(invalid_client 401, invalid_grant / invalid_request / unsupported_grant_type 400); PKCE S256 is enforced; refresh
tokens rotate. `/api/me` is a protected resource that checks the Bearer token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


class FakeOAuth2Provider:
    def __init__(self, *, client_id: str = "ezflow-client", client_secret: str = "ezflow-secret", expires_in: int = 3600):
        self.client_id, self.client_secret, self.expires_in = client_id, client_secret, expires_in
        self.deny = False  # the person clicks "Cancel" on the consent screen
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.refresh_tokens: set[str] = set()
        self.token_requests: list[dict] = []  # form bodies received at /token (client_secret removed)
        self.api_requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body=None, headers: dict | None = None):
                raw = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in {**({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})}.items():
                    self.send_header(name, value)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                if parsed.path == "/authorize":
                    return self._send(*provider._authorize(query))
                if parsed.path == "/api/me":
                    return self._send(*provider._me(self.headers.get("Authorization", "")))
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlparse(self.path).path == "/token":
                    return self._send(*provider._token(form, self.headers.get("Authorization", "")))
                return self._send(404, {"error": "not_found"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # ---- endpoints ------------------------------------------------------------------------------------------------

    def _authorize(self, q: dict) -> tuple:
        if q.get("client_id") != self.client_id or not q.get("redirect_uri"):
            return 400, {"error": "invalid_request", "error_description": "unknown client or no redirect_uri"}
        back = q["redirect_uri"]
        if q.get("response_type") != "code":
            return 302, None, {"Location": f"{back}?{urlencode({'error': 'unsupported_response_type', 'state': q.get('state', '')})}"}
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return 302, None, {"Location": f"{back}?{urlencode({'error': 'invalid_request', 'state': q.get('state', '')})}"}
        if self.deny:
            return 302, None, {"Location": f"{back}?{urlencode({'error': 'access_denied', 'state': q.get('state', '')})}"}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": back, "scope": q.get("scope", ""), "used": False}
        return 302, None, {"Location": f"{back}?{urlencode({'code': code, 'state': q.get('state', '')})}"}

    def _client_ok(self, form: dict, authorization: str) -> bool:
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client_id == self.client_id and secrets.compare_digest(secret, self.client_secret)

    def _issue(self, scope: str) -> dict:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access_tokens[access] = time.time() + self.expires_in
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "token_type": "Bearer", "expires_in": self.expires_in, "refresh_token": refresh, "scope": scope}

    def _token(self, form: dict, authorization: str) -> tuple:
        self.token_requests.append({k: v for k, v in form.items() if k != "client_secret"})
        if not self._client_ok(form, authorization):
            return 401, {"error": "invalid_client", "error_description": "client authentication failed"}, {"WWW-Authenticate": "Basic"}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            entry = self.codes.get(form.get("code", ""))
            if entry is None or entry["used"] or entry["redirect_uri"] != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "unknown, used or mismatched code"}
            entry["used"] = True
            verifier = form.get("code_verifier", "")
            if not verifier:
                return 400, {"error": "invalid_request", "error_description": "code_verifier is required"}
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != entry["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
            return 200, self._issue(entry["scope"])
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"}
            self.refresh_tokens.discard(refresh)  # rotation: each refresh token works once
            return 200, self._issue(form.get("scope", ""))
        return 400, {"error": "unsupported_grant_type"}

    def _me(self, authorization: str) -> tuple:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        self.api_requests.append({"token": token})
        if self.access_tokens.get(token, 0) <= time.time():
            return 401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return 200, {"user": "kim@example.com"}

    # ---- what tests change ----------------------------------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        self.access_tokens = dict.fromkeys(self.access_tokens, 0.0)

    def revoke_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
