"""Finds secrets in a flow's node parameters before it leaves the organization: shared as a template or exported.

Pure Python. Besides credential references and webhook secrets (handled by the publishing service), a flow can
carry secrets typed in by hand: header and query values, passwords or tokens in addresses, well-known key formats
(`sk-...`, `ghp_...`, `xoxb-...`, JWTs, private keys) in any text, and key-looking string literals in code.
Values that only refer to the installer's own data (`Bearer {{ vars.api_token }}`) are kept: they hold no secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit, urlunsplit

# Names of header, query or body fields whose literal values are secrets.
SECRET_NAME = re.compile(
    r"auth|token|secret|password|passwd|passcode|pwd|api[-_ ]?key|cookie|session|signature|bearer|credential|private[-_ ]?key",
    re.IGNORECASE,
)
# Headers and query strings also name keys "serviceKey", "apikey", "key", "sig".
SECRET_PARAMETER_NAME = re.compile(SECRET_NAME.pattern + r"|key$|^sig$", re.IGNORECASE)
# Top-level text parameters of a node (its own settings): narrower, "auth_header" names a header, not a secret.
SECRET_PARAM = re.compile(r"secret|password|passwd|token|api[-_]?key|private[-_]?key", re.IGNORECASE)

KNOWN_SECRETS = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    r"|\bsk-[A-Za-z0-9_-]{16,}"
    r"|\b[spr]k_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}"
    r"|\bxox[abprse]-[A-Za-z0-9-]{10,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bAIza[0-9A-Za-z_-]{35}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r"|(?<=/bot)\d{6,12}:[A-Za-z0-9_-]{30,}"  # Telegram bot tokens in addresses
    r"|(?<=\bBearer )(?!\{\{)[A-Za-z0-9._~+/-]{16,}=*"
    r"|(?<=hooks\.slack\.com/services/)[A-Za-z0-9/]+"
    r"|(?<=discord\.com/api/webhooks/)[A-Za-z0-9/_-]+",
    re.DOTALL,
)
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:\{\{.*?\}\}|[^\s\"'<>`{])+", re.IGNORECASE)
# `api_key = "..."`, `"Authorization": "Bearer ..."`, `token="..."` in code or text.
ASSIGNED_LITERAL = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_-]*|"[^"\n]{1,60}"|'[^'\n]{1,60}')\s*(?::|=|\+=)\s*(?P<q>["'])(?P<value>[^"'\n]{4,})(?P=q)"""
)
EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
QUOTED_LONG = re.compile(r"""(["'])[^"']{8,}\1""")
SCHEME_WORDS = re.compile(r"\b(?:bearer|basic|token|key)\b", re.IGNORECASE)

Strip = Callable[[str, str], None]  # (path, kind)


def only_refers(value) -> bool:
    """True for text made only of expressions (and words like "Bearer") without long literals inside them."""
    if not isinstance(value, str) or "{{" not in value:
        return False
    if any(QUOTED_LONG.search(expression) for expression in EXPRESSION.findall(value)):
        return False
    return not SCHEME_WORDS.sub("", EXPRESSION.sub("", value)).strip()


def holds_secret(value) -> bool:
    if value in (None, "", [], {}) or isinstance(value, bool):
        return False
    return not only_refers(value)


def _clean_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc and host:
        netloc = host + (f":{port}" if port else "")
    # Secret-named query values are cleared in place; everything else keeps its exact spelling.
    pairs = [pair.split("=", 1) if "=" in pair else [pair] for pair in parts.query.split("&")] if parts.query else []
    query = "&".join(
        f"{pair[0]}=" if len(pair) == 2 and SECRET_PARAMETER_NAME.search(unquote(pair[0])) and holds_secret(pair[1]) else "=".join(pair)
        for pair in pairs
    )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def clean_text(text: str) -> str:
    """`text` without passwords or secret query values in addresses, well-known key formats and key-looking literals."""
    text = URL.sub(lambda m: _clean_url(m.group(0)), text)
    text = KNOWN_SECRETS.sub("", text)

    def literal(match: re.Match) -> str:
        name = match.group("name").strip("\"'")
        if SECRET_NAME.search(name) and holds_secret(match.group("value")):
            start, end = match.span("value")
            whole_start = match.start()
            return match.group(0)[: start - whole_start] + match.group(0)[end - whole_start :]
        return match.group(0)

    return ASSIGNED_LITERAL.sub(literal, text)


def scrub(value, path: str, strip: Strip, *, names: re.Pattern = SECRET_NAME, kind: str = "secret"):
    """A cleaned copy of a parameter value (dicts, lists, text), reporting each removal through `strip`."""
    if isinstance(value, dict):
        # {"name": "api_key", "value": "..."} (fields of "Set", rows of lists) names its secret in a sibling.
        pair_secret = isinstance(value.get("name"), str) and "value" in value and bool(SECRET_NAME.search(value["name"]))
        cleaned = {}
        for key, child in value.items():
            child_path = f"{path}.{key}"
            secret_key = names.search(str(key)) or (pair_secret and key == "value")
            if secret_key and not isinstance(child, (dict, list)) and holds_secret(child):
                cleaned[key] = ""
                strip(child_path, kind)
            else:
                cleaned[key] = scrub(child, child_path, strip)
        return cleaned
    if isinstance(value, list):
        return [scrub(child, f"{path}.{index}", strip) for index, child in enumerate(value)]
    if isinstance(value, str):
        cleaned = clean_text(value)
        if cleaned != value:
            strip(path, "secret")
        return cleaned
    return value


def _credential_type(spec, parameters: dict) -> str:
    if spec.credential_type:
        return spec.credential_type
    auth = parameters.get("authentication")
    return auth if isinstance(auth, str) and auth not in ("", "none") else ""


def _is_text(spec, value) -> bool:
    return isinstance(value, str) and (spec is None or spec.type in ("string", "text"))


def scrub_node_secrets(node: dict, node_type, strip: Strip) -> set[str]:
    """Removes, in place, the node's credential references, secret parameters, secret-looking header and query values,
    passwords in addresses and known key formats; reports each through `strip`. Returns the credential types the node
    needs (its installer or importer chooses their own)."""
    parameters = node.get("parameters") if isinstance(node.get("parameters"), dict) else {}
    credential_types: set[str] = set()
    specs = {spec.name: spec for spec in (node_type.params if node_type else ())}
    for name in node_type.secret_params if node_type else ():
        if parameters.get(name) not in (None, ""):
            parameters[name] = ""
            strip(f"parameters.{name}", "secret")
    for name in list(parameters):
        spec, value, path = specs.get(name), parameters[name], f"parameters.{name}"
        if spec is not None and spec.type == "credential":
            kind = _credential_type(spec, parameters)
            if kind:
                credential_types.add(kind)
            if value not in (None, ""):
                parameters[name] = ""
                strip(path, "credential")
        elif spec is not None and spec.type == "keyvalue":
            parameters[name] = scrub(value, path, strip, names=SECRET_PARAMETER_NAME, kind="header")
        elif SECRET_PARAM.search(name) and _is_text(spec, value) and holds_secret(value):
            parameters[name] = ""
            strip(path, "secret")
        else:
            parameters[name] = scrub(value, path, strip)
    for spec in specs.values():
        if spec.type == "credential" and spec.name not in parameters:
            kind = _credential_type(spec, parameters)
            if kind:
                credential_types.add(kind)
    if isinstance(node.get("settings"), dict):
        node["settings"] = scrub(node["settings"], "settings", strip)
    return credential_types
