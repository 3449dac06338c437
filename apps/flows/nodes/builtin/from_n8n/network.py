from typing import Any

from apps.flows.nodes.n8n import Converted, convert_expression, pairs, static_value, warning

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _method(p: dict, node: dict, warnings: list) -> str:
    method = static_value(p.get("method", p.get("requestMethod", "GET")))
    if isinstance(method, str) and method.upper() in METHODS:
        return method.upper()
    warnings.append(warning(node, "option_review", f"The method {method!r} was computed in n8n; choose it here (GET was set)."))
    return "GET"


def http_request(node: dict) -> Converted:
    p = node.get("parameters") or {}
    name = node.get("name", "")
    warnings: list[dict] = []

    def conv(value, path="parameters"):
        return convert_expression(value, warnings, name, path)

    if p.get("authentication", "none") not in ("none", None):
        warnings.append(warning(node, "credential_not_imported", "Credentials are never imported; choose one in the node."))
    content = {"json": "json", "form-urlencoded": "form", "multipart-form-data": "multipart", "raw": "raw"}.get(
        p.get("contentType", "json"), "json"
    )
    body: Any = None
    if p.get("sendBody"):
        raw_json = content == "json" and p.get("specifyBody") == "json"
        body = conv(p.get("jsonBody", "")) if raw_json else conv(pairs(p.get("bodyParameters")))
    return {
        "method": _method(p, node, warnings),
        "url": conv(p.get("url", "")),
        "query": conv(pairs(p.get("queryParameters"))) if p.get("sendQuery") else {},
        "headers": conv(pairs(p.get("headerParameters"))) if p.get("sendHeaders") else {},
        "body_type": content if p.get("sendBody") else "none",
        "body": body,
        # n8n outputs the answer itself unless "Include Response Headers and Status" (v3+) / "Full Response" is on
        "output": "full" if _full_response(p.get("options") or {}) else "body",
    }, warnings


def _full_response(options: dict) -> bool:
    nested = ((options.get("response") or {}).get("response") or {}) if isinstance(options.get("response"), dict) else {}
    return bool(nested.get("fullResponse") or options.get("fullResponse"))


def is_slack_message(node: dict) -> bool:
    p = node.get("parameters") or {}
    return p.get("resource", "message") == "message" and p.get("operation", "post") in ("post", "send")


def slack(node: dict) -> Converted | None:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    text = p.get("text", "")
    if not text and p.get("blocksUi"):
        warnings.append(warning(node, "option_review", "Slack blocks were left out: only the text is sent."))
    warnings.append(warning(node, "credential_not_imported", "Choose a Slack webhook for its channel (credentials are never imported)."))
    return {"text": convert_expression(text, warnings, node.get("name", ""), "text")}, warnings


def email_send(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    name = node.get("name", "")
    html_body = p.get("html") or (p.get("emailFormat") == "html" and p.get("html"))
    body = html_body or p.get("text", "") or p.get("message", "")
    warnings.append(warning(node, "credential_not_imported", "Choose your mail server (credentials are never imported)."))
    return {
        "to": convert_expression(p.get("toEmail", ""), warnings, name, "to"),
        "subject": convert_expression(p.get("subject", ""), warnings, name, "subject"),
        "text": convert_expression(body, warnings, name, "text"),
        "html": bool(html_body) or p.get("emailFormat") == "html",
    }, warnings
