from typing import Any

from apps.flows.nodes.n8n import Converted, convert_expression, pairs, warning


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
        "method": str(p.get("method", "GET")).upper(),
        "url": conv(p.get("url", "")),
        "query": conv(pairs(p.get("queryParameters"))) if p.get("sendQuery") else {},
        "headers": conv(pairs(p.get("headerParameters"))) if p.get("sendHeaders") else {},
        "body_type": content if p.get("sendBody") else "none",
        "body": body,
    }, warnings
