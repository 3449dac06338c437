"""Content-Security-Policy on every response (django-csp), plus the page's own WebSocket origin.

Pages load scripts and style sheets from this site only, never inline (inline <script> needs the request's nonce:
`<script nonce="{{ request.csp_nonce }}">`); style attributes stay allowed, <style> elements do not. Live pages open a
WebSocket to the host they were served from, which `connect-src 'self'` does not name in every browser.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost


class EZFlowCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        sockets = [f"ws://{host}", f"wss://{host}"] if not request.is_secure() else [f"wss://{host}"]
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", ()), *sockets]
        parts.update = update
        return parts
