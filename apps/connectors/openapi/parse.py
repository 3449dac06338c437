"""An OpenAPI 3.0/3.1 or Swagger 2.0 document read into the operations a flow can call.

Pure Python (no Django): `load_text` turns JSON or YAML text into plain JSON values within bounds, `read_spec` turns
that document into servers, security schemes and operations whose parameters carry what a form needs (location,
required, type, enum, default, description). Whatever cannot be used is reported in `skipped` with a reason made of a
gettext_noop template and values, which the Django layer translates for the reader. Only local `$ref`s
(`#/components/...`, `#/definitions/...`) are followed; a chain of references is followed at most MAX_REF_HOPS times
and a schema that refers back to itself is read only as deep as a form needs, so cycles end.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from apps.flows.engine.errors import gettext_noop

MAX_SPEC_BYTES = 5 * 1024 * 1024
MAX_OPERATIONS = 1000
MAX_VALUES = 3_000_000  # every value of the document, counting each use of a YAML alias
MAX_DEPTH = 100
MAX_PARAMETERS = 200
MAX_REF_HOPS = 20
MAX_TEXT = 1000  # descriptions and summaries kept per operation and parameter
MAX_ENUM = 200
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = ("path", "query", "header", "cookie")
# Headers the caller sets itself (OpenAPI says such parameters are ignored).
RESERVED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_OPERATION_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


class SpecError(ValueError):
    """The document as a whole cannot be used: a template (gettext_noop) with values, and a stable code."""

    def __init__(self, template: str, *, code: str, values: dict | None = None):
        self.template, self.code, self.values = template, code, dict(values or {})
        super().__init__(template % self.values if self.values else template)


class _Skip(Exception):
    """One operation cannot be used: why, as a template with values."""

    def __init__(self, code: str, template: str, **values):
        super().__init__(code)
        self.code, self.template, self.values = code, template, values


def reason(code: str, template: str, values: dict | None = None) -> dict:
    return {"code": code, "template": template, "values": dict(values or {})}


# ---- text to document ----------------------------------------------------------------------------------------------


def load_text(text: str | bytes) -> dict:
    """JSON or YAML text as plain JSON values (string keys, dates as text); SpecError when too large, unreadable,
    nested too deep or not an OpenAPI/Swagger document."""
    if isinstance(text, bytes):
        if len(text) > MAX_SPEC_BYTES:
            raise too_large()
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpecError(gettext_noop("The document is not UTF-8 text."), code="spec_unreadable") from None
    if len(text) > MAX_SPEC_BYTES or len(text.encode("utf-8")) > MAX_SPEC_BYTES:
        raise too_large()
    if "\x00" in text:
        raise SpecError(gettext_noop("The document contains a NUL character."), code="spec_unreadable")
    if not text.strip():
        raise SpecError(gettext_noop("The document is empty."), code="spec_unreadable")
    document = _parse(text)
    if not isinstance(document, dict):
        raise SpecError(
            gettext_noop("The document is not an OpenAPI or Swagger description (no object at the top)."), code="spec_not_openapi"
        )
    plain = _plain(document, depth=1, budget=[MAX_VALUES])
    spec_version(plain)  # refuses what is not OpenAPI 3.x or Swagger 2.0
    return plain


def too_large() -> SpecError:
    return SpecError(
        gettext_noop("The document is larger than %(limit)s MB."), code="spec_too_large", values={"limit": MAX_SPEC_BYTES // (1024 * 1024)}
    )


def _parse(text: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except RecursionError:
            raise _too_deep() from None
        except ValueError:
            pass  # YAML is a superset of JSON in practice: let it say where the problem is
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader (C or Python)
    except RecursionError:
        raise _too_deep() from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SpecError(
            gettext_noop("The document is neither valid JSON nor YAML (line %(line)s, column %(column)s: %(problem)s)."),
            code="spec_unreadable",
            values={
                "line": (mark.line + 1) if mark else "?",
                "column": (mark.column + 1) if mark else "?",
                "problem": str(exc.problem or "")[:200],
            },
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            gettext_noop("The document is neither valid JSON nor YAML (%(problem)s)."),
            code="spec_unreadable",
            values={"problem": str(exc)[:200]},
        ) from None


def _too_deep() -> SpecError:
    return SpecError(
        gettext_noop("The document is nested more than %(limit)s levels deep."), code="spec_too_deep", values={"limit": MAX_DEPTH}
    )


def _plain(value: Any, *, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise SpecError(
            gettext_noop("The document has more than %(limit)s values (YAML aliases count each time they are used)."),
            code="spec_too_large",
            values={"limit": f"{MAX_VALUES:,}"},
        )
    if depth > MAX_DEPTH:
        raise _too_deep()
    if isinstance(value, dict):
        return {str(key): _plain(item, depth=depth + 1, budget=budget) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth=depth + 1, budget=budget) for item in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    return str(value)  # dates, timestamps, bytes from YAML


def spec_version(document: dict) -> str:
    swagger, openapi = document.get("swagger"), document.get("openapi")
    if str(swagger) == "2.0":
        return "2.0"
    if isinstance(openapi, str) and re.match(r"^3\.[01](\.\d+)?(-\S+)?$", openapi):
        return openapi
    if openapi is not None or swagger is not None:
        raise SpecError(
            gettext_noop("Version %(version)s is not supported: import an OpenAPI 3.0 or 3.1 or a Swagger 2.0 document."),
            code="spec_version",
            values={"version": str(openapi if openapi is not None else swagger)[:40]},
        )
    raise SpecError(
        gettext_noop("The document is not an OpenAPI or Swagger description (it has no “openapi” or “swagger” field)."),
        code="spec_not_openapi",
    )


# ---- references --------------------------------------------------------------------------------------------------


class _Refs:
    def __init__(self, document: dict):
        self.document = document

    def resolve(self, value: Any) -> Any:
        """`value` with its `$ref` chain followed (local references only)."""
        for _hop in range(MAX_REF_HOPS):
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                return value
            value = self.lookup(value["$ref"])
        raise _Skip("ref_chain", gettext_noop("a chain of more than %(limit)s references"), limit=MAX_REF_HOPS)

    def lookup(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _Skip(
                "external_ref",
                gettext_noop("it refers to another document (%(ref)s); only references inside the document are followed"),
                ref=ref[:200],
            )
        current: Any = self.document
        for raw in ref[1:].split("/")[1:] if ref != "#" else []:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(current, dict) and part in current:
                current = current[part]
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            else:
                raise _Skip("missing_ref", gettext_noop("it refers to %(ref)s, which the document does not contain"), ref=ref[:200])
        return current


# ---- schemas to form fields ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def _schema_type(schema: dict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), None)
    if kind in ("string", "integer", "number", "boolean", "array", "object"):
        if kind == "string" and schema.get("format") == "binary":
            return "file"
        return kind
    if kind in ("file", "null"):  # Swagger 2 formData; 3.1's "null" (an option of anyOf)
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if isinstance(schema.get("enum"), list):
        return "string"
    for combined in ("oneOf", "anyOf"):
        options = schema.get(combined)
        if isinstance(options, list) and options:
            kinds = {_schema_type(o) if isinstance(o, dict) and "$ref" not in o else "json" for o in options}
            kinds.discard("null")
            if len(kinds) == 1:
                return kinds.pop()
    return "json"


class _Schemas:
    def __init__(self, refs: _Refs):
        self.refs = refs

    def flat(self, schema: Any, seen: tuple = ()) -> dict:
        """A schema with its `$ref` followed and `allOf` merged (properties and required), as deep as `seen` allows."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen or len(seen) > 10:
                return {}  # a schema that contains itself: the form stops here
            return self.flat(self.refs.resolve(schema), (*seen, ref))
        if not isinstance(schema, dict):
            return {}
        parts = schema.get("allOf")
        if not isinstance(parts, list) or not parts:
            return schema
        merged: dict = {k: v for k, v in schema.items() if k != "allOf"}
        properties, required = dict(merged.get("properties") or {}), list(merged.get("required") or [])
        for part in parts:
            flat = self.flat(part, seen)
            for key, item in flat.items():
                if key not in ("properties", "required"):
                    merged.setdefault(key, item)
            if isinstance(flat.get("properties"), dict):
                properties.update(flat["properties"])
            required.extend(r for r in flat.get("required") or [] if isinstance(r, str))
        if properties:
            merged["properties"] = properties
            merged.setdefault("type", "object")
        if required:
            merged["required"] = required
        return merged

    def field(self, *, key: str, name: str, location: str, schema: Any, required: bool, description: str = "") -> dict:
        flat = self.flat(schema)
        kind = _schema_type(flat)
        item: dict = {
            "key": key,
            "name": name,
            "in": location,
            "required": bool(required),
            "type": kind,
            "description": _text(description) or _text(flat.get("description")) or _text(flat.get("title")),
        }
        enum = flat.get("enum")
        if isinstance(enum, list) and enum:
            item["enum"] = [v for v in enum if v is None or isinstance(v, (str, int, float, bool))][:MAX_ENUM]
        if "default" in flat and (flat["default"] is None or isinstance(flat["default"], (str, int, float, bool, list, dict))):
            item["default"] = flat["default"]
        if isinstance(flat.get("format"), str):
            item["format"] = flat["format"][:50]
        if kind == "array":
            items = self.flat(flat.get("items"))
            item["items"] = _schema_type(items) if items else "string"
            if isinstance(items.get("enum"), list):
                item["enum"] = [v for v in items["enum"] if isinstance(v, (str, int, float, bool))][:MAX_ENUM]
        return item


# ---- the document ----------------------------------------------------------------------------------------------------


@dataclass
class Spec:
    version: str
    title: str
    api_version: str
    description: str
    servers: list[dict]
    security_schemes: dict[str, dict]
    operations: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "title": self.title,
            "api_version": self.api_version,
            "description": self.description,
            "servers": self.servers,
            "security_schemes": self.security_schemes,
            "operations": self.operations,
            "skipped": self.skipped,
            "tags": self.tags,
        }


def read_spec(document: dict, *, source_url: str = "") -> Spec:
    """The operations of a loaded document (see `load_text`); SpecError when the document as a whole is unusable."""
    version = spec_version(document)
    reader = _Reader(document, version=version, source_url=source_url)
    return reader.read()


class _Reader:
    def __init__(self, document: dict, *, version: str, source_url: str):
        self.document = document
        self.swagger = version == "2.0"
        self.version = version
        self.source_url = source_url if source_url.lower().startswith(("http://", "https://")) else ""
        self.refs = _Refs(document)
        self.schemas = _Schemas(self.refs)

    def read(self) -> Spec:
        info = self.document.get("info") if isinstance(self.document.get("info"), dict) else {}
        paths = self.document.get("paths")
        if paths is None:
            paths = {}
        if not isinstance(paths, dict):
            raise SpecError(gettext_noop("“paths” must be an object of addresses."), code="spec_invalid")
        count = sum(1 for item in paths.values() if isinstance(item, dict) for method in METHODS if method in item)
        if count > MAX_OPERATIONS:
            raise SpecError(
                gettext_noop("The document has %(count)s operations; at most %(limit)s can be imported."),
                code="spec_too_many_operations",
                values={"count": count, "limit": MAX_OPERATIONS},
            )
        spec = Spec(
            version=("Swagger " if self.swagger else "OpenAPI ") + self.version,
            title=_text(info.get("title"))[:200],
            api_version=str(info.get("version") or "")[:100],
            description=_text(info.get("description")),
            servers=self._servers(),
            security_schemes=self._security_schemes(),
            tags=[
                {"name": str(tag["name"])[:100], "description": _text(tag.get("description"))}
                for tag in self.document.get("tags") or []
                if isinstance(tag, dict) and isinstance(tag.get("name"), str)
            ][:500],
        )
        used_ids: set[str] = set()
        for path, raw_item in paths.items():
            label_path = str(path)[:300]
            try:
                item = self.refs.resolve(raw_item)
            except _Skip as skip:
                spec.skipped.append({"operation": label_path, **reason(skip.code, skip.template, skip.values)})
                continue
            if not isinstance(item, dict) or not str(path).startswith("/"):
                if str(path).startswith("x-"):
                    continue
                spec.skipped.append(
                    {"operation": label_path, **reason("bad_path", gettext_noop("the address must start with / and describe operations"))}
                )
                continue
            for method in METHODS:
                if method not in item:
                    continue
                label = f"{method.upper()} {label_path}"
                try:
                    operation = self._operation(str(path), method, item, spec.security_schemes, used_ids)
                except _Skip as skip:
                    spec.skipped.append({"operation": label, **reason(skip.code, skip.template, skip.values)})
                    continue
                spec.operations.append(operation)
        return spec

    # -- servers --

    def _servers(self) -> list[dict]:
        if self.swagger:
            host = self.document.get("host")
            base_path = self.document.get("basePath") if isinstance(self.document.get("basePath"), str) else ""
            if not isinstance(host, str) or not host:
                if not self.source_url:
                    return [{"url": base_path or "/", "description": ""}]
                parts = urlsplit(self.source_url)
                host, default_schemes = parts.netloc, [parts.scheme]
            else:
                default_schemes = [urlsplit(self.source_url).scheme] if self.source_url else ["https"]
            schemes = [s for s in self.document.get("schemes") or [] if s in ("https", "http")] or default_schemes
            schemes.sort(key=lambda s: s != "https")  # https first
            return [{"url": f"{scheme}://{host}{base_path}".rstrip("/"), "description": ""} for scheme in schemes]
        return self._oas_servers(self.document.get("servers")) or [{"url": self._absolute("/"), "description": ""}]

    def _oas_servers(self, raw: Any) -> list[dict]:
        servers = []
        for entry in raw if isinstance(raw, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
                continue
            url = entry["url"]
            for name, variable in (entry.get("variables") or {}).items():
                if isinstance(variable, dict) and variable.get("default") is not None:
                    url = url.replace("{" + name + "}", str(variable["default"]))
            servers.append({"url": self._absolute(url).rstrip("/") or "/", "description": _text(entry.get("description"))[:200]})
        return servers[:20]

    def _absolute(self, url: str) -> str:
        if url.lower().startswith(("http://", "https://")) or not self.source_url:
            return url
        return urljoin(self.source_url, url)

    # -- security --

    def _security_schemes(self) -> dict[str, dict]:
        if self.swagger:
            raw = self.document.get("securityDefinitions")
        else:
            components = self.document.get("components") if isinstance(self.document.get("components"), dict) else {}
            raw = components.get("securitySchemes")
        schemes = {}
        for name, value in (raw if isinstance(raw, dict) else {}).items():
            try:
                scheme = self.refs.resolve(value)
            except _Skip:
                scheme = None
            schemes[str(name)[:100]] = self._scheme(scheme if isinstance(scheme, dict) else {})
        return schemes

    def _scheme(self, scheme: dict) -> dict:
        kind, description = scheme.get("type"), _text(scheme.get("description"))
        if kind == "apiKey":
            location, name = scheme.get("in"), scheme.get("name")
            if location in ("header", "query") and isinstance(name, str) and name:
                return {"type": "api_key", "in": location, "name": name[:100], "description": description}
            return self._unsupported(
                gettext_noop("an API key sent in “%(location)s” (only headers and the query are supported)"), location=str(location)
            )
        if kind == "basic" or (kind == "http" and str(scheme.get("scheme", "")).lower() == "basic"):
            return {"type": "basic", "description": description}
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            return {"type": "bearer", "description": description}
        if kind == "http":
            return self._unsupported(
                gettext_noop("HTTP “%(scheme)s” sign-in (only Basic and Bearer are supported)"), scheme=str(scheme.get("scheme"))[:50]
            )
        if kind == "oauth2":
            return {"type": "oauth2", "description": description, **self._oauth2(scheme)}
        return self._unsupported(gettext_noop("“%(type)s” sign-in"), type=str(kind)[:50])

    @staticmethod
    def _unsupported(template: str, **values) -> dict:
        return {"type": "unsupported", "why": reason("unsupported_auth", template, values)}

    def _oauth2(self, scheme: dict) -> dict:
        if self.swagger:
            flows = {scheme.get("flow"): scheme}
            names = {
                "accessCode": "authorization_code",
                "implicit": "implicit",
                "password": "password",
                "application": "client_credentials",
            }
        else:
            flows = scheme.get("flows") if isinstance(scheme.get("flows"), dict) else {}
            names = {
                "authorizationCode": "authorization_code",
                "implicit": "implicit",
                "password": "password",
                "clientCredentials": "client_credentials",
            }
        for raw_name in sorted(flows, key=lambda n: names.get(n) != "authorization_code"):
            value = flows[raw_name]
            if raw_name in names and isinstance(value, dict):
                scopes = value.get("scopes") if isinstance(value.get("scopes"), dict) else {}
                return {
                    "flow": names[raw_name],
                    "authorization_url": str(value.get("authorizationUrl") or "")[:500],
                    "token_url": str(value.get("tokenUrl") or "")[:500],
                    "scopes": sorted(str(s)[:200] for s in scopes)[:200],
                }
        return {"flow": "", "authorization_url": "", "token_url": "", "scopes": []}

    def _requirements(self, operation: dict, schemes: dict) -> list[list[str]]:
        raw = operation["security"] if "security" in operation else self.document.get("security")
        if raw is None:
            return [[]]
        if not isinstance(raw, list):
            return [[]]
        alternatives, refused = [], []
        for requirement in raw:
            names = sorted(str(n) for n in requirement) if isinstance(requirement, dict) else []
            unknown = [n for n in names if n not in schemes]
            unusable = [n for n in names if n in schemes and schemes[n]["type"] == "unsupported"]
            if unknown:
                refused.append(
                    reason(
                        "unknown_auth",
                        gettext_noop("it asks for the sign-in method “%(name)s”, which the document does not define"),
                        {"name": unknown[0][:100]},
                    )
                )
            elif unusable:
                refused.append(schemes[unusable[0]]["why"])
            elif len(names) > 1:
                refused.append(
                    reason(
                        "combined_auth",
                        gettext_noop("it needs several sign-in methods at once (%(names)s)"),
                        {"names": ", ".join(names)[:200]},
                    )
                )
            else:
                alternatives.append(names)
        if raw and not alternatives:
            why = refused[0]
            raise _Skip(
                "unsupported_auth",
                gettext_noop("its only way to sign in is not supported: %(why)s"),
                why=_Deferred(why["template"], why["values"]),
            )
        return alternatives or [[]]

    # -- operations --

    def _operation(self, path: str, method: str, item: dict, schemes: dict, used_ids: set[str]) -> dict:
        operation = self.refs.resolve(item[method])
        if not isinstance(operation, dict):
            raise _Skip("bad_operation", gettext_noop("the operation is not an object"))
        parameters, body = self._parameters(path, item, operation)
        tags = [str(tag)[:100] for tag in operation.get("tags") or [] if isinstance(tag, (str, int))]
        servers = None
        if not self.swagger:
            servers = self._oas_servers(operation.get("servers")) or self._oas_servers(item.get("servers")) or None
        elif isinstance(operation.get("schemes"), list) and servers is None:
            pass  # per-operation schemes only narrow the document's: the document's servers still apply
        return {
            "id": self._operation_id(operation.get("operationId"), method, path, used_ids),
            "method": method.upper(),
            "path": path[:300],
            "summary": _text(operation.get("summary"))[:300] or _text(operation.get("description")).split("\n")[0][:300],
            "description": _text(operation.get("description")),
            "tags": tags[:20],
            "tag": tags[0] if tags else "",
            "deprecated": operation.get("deprecated") is True,
            "parameters": parameters,
            "body": body,
            "auth": self._requirements(operation, schemes),
            "servers": servers,
        }

    @staticmethod
    def _operation_id(raw: Any, method: str, path: str, used: set[str]) -> str:
        if isinstance(raw, str) and _OPERATION_ID.match(raw):
            base = raw
        else:
            base = (method + "_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_"))[:90] or method
        candidate, number = base, 2
        while candidate in used:
            candidate, number = f"{base}_{number}", number + 1
        used.add(candidate)
        return candidate

    def _parameters(self, path: str, item: dict, operation: dict) -> tuple[list[dict], dict | None]:
        declared: dict[tuple[str, str], dict] = {}
        for source in (item.get("parameters"), operation.get("parameters")):
            for raw in source if isinstance(source, list) else []:
                parameter = self.refs.resolve(raw)
                if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                    raise _Skip("bad_parameter", gettext_noop("a parameter has no name"))
                declared[(str(parameter.get("in")), parameter["name"])] = parameter  # the operation's own wins
        if len(declared) > MAX_PARAMETERS:
            raise _Skip("too_many_parameters", gettext_noop("it has more than %(limit)s parameters"), limit=MAX_PARAMETERS)

        fields: list[dict] = []
        body: dict | None = None
        form: list[dict] = []
        for (location, name), parameter in declared.items():
            if location in LOCATIONS:
                if location == "header" and name.lower() in RESERVED_HEADERS:
                    continue
                if location == "cookie":
                    if parameter.get("required"):
                        raise _Skip(
                            "cookie_parameter",
                            gettext_noop("it needs the cookie “%(name)s”, and cookies are not supported"),
                            name=name[:100],
                        )
                    continue
                fields.append(self._simple(parameter, location, name))
            elif location == "body" and self.swagger:
                body = self._body_from_schema(
                    parameter.get("schema"),
                    self._consumes(operation, "application/json"),
                    bool(parameter.get("required")),
                    fields,
                    _text(parameter.get("description")),
                )
            elif location == "formData" and self.swagger:
                form.append(parameter)
            else:
                raise _Skip(
                    "bad_location",
                    gettext_noop("the parameter “%(name)s” is sent in “%(location)s”, which is not supported"),
                    name=name[:100],
                    location=location[:50],
                )
        for name in re.findall(r"{([^{}]+)}", path):
            if not any(f["in"] == "path" and f["name"] == name for f in fields):
                fields.append({"key": name, "name": name, "in": "path", "required": True, "type": "string", "description": ""})
        for f in fields:
            if f["in"] == "path":
                f["required"] = True
        if form:
            multipart = any(p.get("type") == "file" for p in form)
            content_type = "multipart/form-data" if multipart else self._consumes(operation, "application/x-www-form-urlencoded")
            if "multipart" not in content_type and "urlencoded" not in content_type:
                content_type = "application/x-www-form-urlencoded"
            for parameter in form:
                fields.append(
                    self.schemas.field(
                        key=parameter["name"],
                        name=parameter["name"],
                        location="body",
                        schema=parameter,
                        required=bool(parameter.get("required")),
                        description="",
                    )
                )
            body = {"content_type": content_type, "required": any(p.get("required") for p in form), "whole": False}
        elif not self.swagger and "requestBody" in operation:
            body = self._request_body(operation["requestBody"], fields)
        return self._unique_keys(fields), body

    def _simple(self, parameter: dict, location: str, name: str) -> dict:
        if self.swagger:
            schema = parameter  # Swagger 2 describes the value on the parameter itself
        elif isinstance(parameter.get("schema"), dict):
            schema = parameter["schema"]
        else:
            schema = {"type": "string"} if "content" not in parameter else {}
        return self.schemas.field(
            key=name,
            name=name,
            location=location,
            schema=schema,
            required=bool(parameter.get("required")),
            description=parameter.get("description", ""),
        )

    def _consumes(self, operation: dict, fallback: str) -> str:
        for source in (operation.get("consumes"), self.document.get("consumes")):
            if isinstance(source, list) and source:
                types = [str(t) for t in source]
                return next((t for t in types if _is_json(t)), types[0])
        return fallback

    def _request_body(self, raw: Any, fields: list[dict]) -> dict | None:
        request_body = self.refs.resolve(raw)
        if not isinstance(request_body, dict):
            return None
        content = request_body.get("content") if isinstance(request_body.get("content"), dict) else {}
        if not content:
            return None
        content_type = sorted(content, key=_media_rank)[0]
        media = content[content_type] if isinstance(content[content_type], dict) else {}
        return self._body_from_schema(
            media.get("schema"), content_type, bool(request_body.get("required")), fields, _text(request_body.get("description"))
        )

    def _body_from_schema(self, schema: Any, content_type: str, required: bool, fields: list[dict], description: str) -> dict:
        flat = self.schemas.flat(schema)
        properties = flat.get("properties") if isinstance(flat.get("properties"), dict) else {}
        structured = _is_json(content_type) or "form" in content_type
        if structured and properties and _schema_type(flat) == "object" and len(properties) <= MAX_PARAMETERS:
            needed = {r for r in flat.get("required") or [] if isinstance(r, str)}
            for name, prop in properties.items():
                fields.append(self.schemas.field(key=name, name=name, location="body", schema=prop, required=required and name in needed))
            return {"content_type": content_type, "required": required, "whole": False}
        kind = "json" if _is_json(content_type) else ("file" if _is_binary(content_type) else "string")
        fields.append(
            {
                "key": "body",
                "name": "body",
                "in": "body",
                "required": required,
                "type": kind,
                "description": description or _text(flat.get("description")),
            }
        )
        return {"content_type": content_type, "required": required, "whole": True}

    @staticmethod
    def _unique_keys(fields: list[dict]) -> list[dict]:
        counts: dict[str, int] = {}
        for f in fields:
            counts[f["key"]] = counts.get(f["key"], 0) + 1
        for f in fields:
            if counts[f["key"]] > 1:
                f["key"] = f"{f['in']}.{f['name']}"
        return fields


class _Deferred(dict):
    """A reason inside another reason's values: kept as {template, values} so each part is translated."""

    def __init__(self, template: str, values: dict):
        super().__init__(template=template, values=values)


def _is_json(content_type: str) -> bool:
    base = content_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _is_binary(content_type: str) -> bool:
    base = content_type.split(";")[0].strip().lower()
    return base == "application/octet-stream" or base.startswith(("image/", "audio/", "video/")) or base == "application/pdf"


def _media_rank(content_type: str) -> tuple:
    base = content_type.split(";")[0].strip().lower()
    order = (
        _is_json(base) and base != "*/*",
        base == "application/x-www-form-urlencoded",
        base == "multipart/form-data",
        base.startswith("text/"),
        base == "*/*",
    )
    return (next((index for index, hit in enumerate(order) if hit), len(order)), base)


# ---- versions ------------------------------------------------------------------------------------------------------


def _signature(operation: dict) -> dict:
    return {
        "request": (operation["method"], operation["path"]),
        "parameters": {
            f["key"]: (f["in"], f["required"], f["type"], tuple(map(str, f.get("enum") or ()))) for f in operation["parameters"]
        },
        "body": (operation["body"] or {}).get("content_type"),
        "auth": sorted(map(tuple, operation["auth"])),
    }


def operations_diff(before: list[dict], after: list[dict]) -> dict:
    """What changed between two imports of a connector: operation ids added and removed, and per kept operation
    the parameters added, removed or changed and whether its address, body format or sign-in changed."""
    old = {op["id"]: _signature(op) for op in before}
    new = {op["id"]: _signature(op) for op in after}
    changed = []
    for op_id in sorted(old.keys() & new.keys()):
        a, b = old[op_id], new[op_id]
        if a == b:
            continue
        changed.append(
            {
                "id": op_id,
                "request": a["request"] != b["request"],
                "parameters_added": sorted(b["parameters"].keys() - a["parameters"].keys()),
                "parameters_removed": sorted(a["parameters"].keys() - b["parameters"].keys()),
                "parameters_changed": sorted(
                    k for k in a["parameters"].keys() & b["parameters"].keys() if a["parameters"][k] != b["parameters"][k]
                ),
                "body": a["body"] != b["body"],
                "auth": a["auth"] != b["auth"],
            }
        )
    return {"added": sorted(new.keys() - old.keys()), "removed": sorted(old.keys() - new.keys()), "changed": changed}
