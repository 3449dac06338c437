"""One call of an imported operation: the request built from the values a person filled in, signed the way the
document's security scheme says, and the answer read as JSON, XML or text.

Pure functions over the operation dict that `parse` produced, so they are tested without a server; the step
(catalog/openapi.py) sends what they build through the SSRF guard."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote, unquote

import xmltodict

from apps.flows import credential_kinds
from apps.flows.credential_kinds import OutgoingRequest
from apps.flows.engine.errors import NodeError, gettext_noop

# The credential kinds that can fill each kind of security scheme.
SCHEME_KINDS = {
    "api_key": ("http_header", "http_query"),
    "bearer": ("http_bearer",),
    "basic": ("http_basic",),
    "oauth2": ("http_bearer",),  # plus every OAuth2 kind (signs with its access token)
}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def kinds_for_scheme(scheme: dict) -> list[str]:
    kinds = list(SCHEME_KINDS.get(scheme.get("type"), ()))
    if scheme.get("type") == "oauth2":
        kinds = [kind.key for kind in credential_kinds.all_kinds() if kind.oauth2] + kinds
    return kinds


def accepted_kinds(operation: dict, schemes: dict) -> list[str]:
    """Credential kinds that can sign this operation, in the order of its alternatives; "none" when it may go
    without signing in."""
    kinds: list[str] = []
    for alternative in operation.get("auth") or [[]]:
        names = alternative or []
        for kind in ["none"] if not names else kinds_for_scheme(schemes.get(names[0], {})):
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _typed(field: dict, value: Any) -> Any:
    """Form values often arrive as text (from an expression): numbers and booleans become JSON numbers and booleans
    when the field says so, and JSON text becomes JSON for object/array/json fields."""
    kind = field.get("type")
    if isinstance(value, str):
        text = value.strip()
        try:
            if kind == "integer" and re.fullmatch(r"-?\d+", text):
                return int(text)
            if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
                return float(text) if any(c in text for c in ".eE") else int(text)
            if kind == "boolean" and text.lower() in ("true", "false"):
                return text.lower() == "true"
            if kind in ("object", "array", "json") and text[:1] in ("{", "["):
                return json.loads(text)
        except ValueError:
            return value
    return value


def _missing(value: Any) -> bool:
    return value is None or value == ""


def build_request(operation: dict, values: dict, server: str, *, outgoing=None) -> dict:
    """{"method", "url", "query", "headers", body keyword (json_body, data, files or content)} for `values`."""
    if not isinstance(values, dict):
        raise NodeError(gettext_noop("The values must be an object of parameter names and values."), code="bad_values")
    fields = {f["key"]: f for f in operation["parameters"]}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise NodeError(
            gettext_noop("The operation has no parameter “%(name)s”. Its parameters are: %(names)s."),
            code="unknown_parameter",
            values={"name": unknown[0], "names": ", ".join(fields) or "—"},
        )
    problems = []
    for key, f in fields.items():
        value = values.get(key, f.get("default"))
        if f["required"] and _missing(value):
            problems.append(key)
        elif not _missing(value) and f.get("enum") and f["type"] != "array" and _scalar(value) not in map(_scalar, f["enum"]):
            raise NodeError(
                gettext_noop("“%(value)s” is not allowed for “%(name)s”; choose one of: %(choices)s."),
                code="bad_value",
                values={"value": _scalar(value)[:100], "name": key, "choices": ", ".join(map(_scalar, f["enum"]))[:500]},
            )
    if problems:
        raise NodeError(
            gettext_noop("Fill in the required parameters: %(names)s."), code="missing_parameter", values={"names": ", ".join(problems)}
        )
    server = str(server or "").strip().rstrip("/")
    if not server.lower().startswith(("http://", "https://")):
        raise NodeError(
            gettext_noop("The API's address “%(server)s” is not a full address: type one starting with https:// in “Server”."),
            code="bad_server",
            values={"server": server or "—"},
        )

    path, query, headers, body_values = operation["path"], {}, {}, {}
    for key, f in fields.items():
        value = values[key] if key in values else f.get("default")
        if _missing(value):
            continue
        value = _typed(f, value)
        if f["in"] == "path":
            path = path.replace("{" + f["name"] + "}", quote(_scalar(value), safe=""))
        elif f["in"] == "query":
            query[f["name"]] = [_scalar(v) for v in value] if isinstance(value, list) else _scalar(value)
        elif f["in"] == "header":
            headers[f["name"]] = _scalar(value)
        elif f["in"] == "body":
            body_values[f["name"]] = value
    request = {"method": operation["method"], "url": server + path, "query": query, "headers": headers}
    body = operation.get("body")
    if body and body_values:
        request.update(_body(body, body_values, headers, outgoing))
    return request


def _body(body: dict, values: dict, headers: dict, outgoing=None) -> dict:
    content_type = body["content_type"]
    base = content_type.split(";")[0].strip().lower()
    value = values.get("body") if body.get("whole") else values
    if "json" in base or base == "*/*":
        return {"json_body": value}
    if base == "application/x-www-form-urlencoded":
        if not isinstance(value, dict):
            raise NodeError(gettext_noop("A form body must be name–value pairs."), code="bad_body")
        return {"data": {k: [_scalar(i) for i in v] if isinstance(v, list) else _scalar(v) for k, v in value.items()}}
    if base == "multipart/form-data":
        from apps.flows.nodes.builtin.network import HttpRequest

        if not isinstance(value, dict):
            raise NodeError(gettext_noop("A form body must be name–value pairs."), code="bad_body")
        # `outgoing` (the step's OutgoingFiles) reads stored files sent as parts, within the request's size limit
        return {"files": {k: HttpRequest._part(k, v, outgoing) for k, v in value.items()}}
    headers["Content-Type"] = content_type
    if isinstance(value, dict) and "base64" in value:
        try:
            return {"content": base64.b64decode(str(value["base64"]), validate=True)}
        except ValueError:
            raise NodeError(gettext_noop("The file in the body is not valid base64 data."), code="bad_body") from None
    return {"content": value if isinstance(value, str) else _scalar(value)}


def scheme_for(operation: dict, schemes: dict, kind_key: str) -> dict | None:
    """The security scheme a credential of `kind_key` fills for this operation (None: it goes without signing in);
    a clear NodeError when the operation cannot be signed that way."""
    alternatives = operation.get("auth") or [[]]
    if kind_key in ("", "none"):
        if [] in alternatives:
            return None
        raise NodeError(
            gettext_noop("This operation needs signing in: choose an authentication and a credential."), code="credential_missing"
        )
    for alternative in alternatives:
        if alternative and kind_key in kinds_for_scheme(schemes.get(alternative[0], {})):
            return schemes[alternative[0]]
    accepted = [k for k in accepted_kinds(operation, schemes) if k != "none"]
    raise NodeError(
        gettext_noop("This operation does not accept a “%(kind)s” credential; it accepts: %(kinds)s."),
        code="bad_auth",
        values={"kind": kind_key, "kinds": ", ".join(accepted) or "—"},
    )


def sign(request: dict, *, scheme: dict | None, kind_key: str, data: dict) -> tuple[set, set]:
    """Adds the credential where the document's scheme says (header or query name from the document, not from the
    credential); returns the header and query names it added, which never leave the API's own origin."""
    if scheme is None:
        return set(), set()
    if scheme["type"] == "api_key":
        value = str(data.get("value", ""))
        if scheme["in"] == "query":
            # Portals such as data.go.kr hand out the key both plain and already URL-encoded; encode it once.
            request["query"][scheme["name"]] = unquote(value) if _PERCENT.search(value) else value
            return set(), {scheme["name"]}
        request["headers"][scheme["name"]] = value
        return {scheme["name"]}, set()
    outgoing = OutgoingRequest(request["headers"], request["query"])
    before_headers, before_query = set(outgoing.headers), set(outgoing.query)
    credential_kinds.get(kind_key).authenticate(outgoing, data)
    return (set(outgoing.headers) - before_headers) | {"Authorization"}, set(outgoing.query) - before_query


def decode(content_type: str, raw: bytes, encoding: str | None) -> Any:
    base = (content_type or "").split(";")[0].strip().lower()
    if base.startswith(("image/", "audio/", "video/")) or base in ("application/octet-stream", "application/pdf", "application/zip"):
        return {"base64": base64.b64encode(raw).decode(), "content_type": content_type, "size": len(raw)}
    text = raw.decode(encoding or "utf-8", "replace")
    if "json" in base:
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            return text
    if base.endswith("xml") or base.endswith("+xml") or (not base and text.lstrip().startswith("<?xml")):
        try:
            return xmltodict.parse(text, disable_entities=True)
        except Exception:  # noqa: BLE001 - expat's errors vary; the text is still useful
            return text
    return text
