"""Structured answers: the fields a person lists in the form become a JSON schema; the model's answer is read as
JSON and checked against it."""

from __future__ import annotations

import json
import re

import jsonschema

from apps.flows.engine.errors import NodeError, gettext_noop

FIELD_TYPES = {
    "text": {"type": "string"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "list": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object"},
}
# Letters of any script (Korean field names), digits, spaces (n8n's extractor attributes: "Educational qualification"),
# _ and -; no dots, which would read as a path.
_NAME = re.compile(r"^[^\W\d][\w \-]{0,63}$")
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def schema_from_fields(fields) -> dict:
    if not isinstance(fields, list) or not fields:
        raise NodeError(gettext_noop("List at least one field the answer must have."), code="ai_bad_schema")
    properties, required = {}, []
    for entry in fields:
        entry = entry if isinstance(entry, dict) else {}
        name = str(entry.get("name") or "").strip()
        if not _NAME.match(name):
            raise NodeError(
                gettext_noop(
                    "“%(name)s” cannot be a field name: use letters, digits, spaces, _ and - (up to 64), starting with a letter or _."
                ),
                code="ai_bad_schema",
                values={"name": name},
            )
        kind = entry.get("type") or "text"
        if kind not in FIELD_TYPES:
            raise NodeError(gettext_noop("Unknown field type “%(type)s”."), code="ai_bad_schema", values={"type": str(kind)})
        properties[name] = {**FIELD_TYPES[kind]}
        if entry.get("description"):
            properties[name]["description"] = str(entry["description"])
        if entry.get("required", True) not in (False, "false", "no", 0):
            required.append(name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def checked_schema(schema) -> dict:
    if not isinstance(schema, dict):
        raise NodeError(gettext_noop("The JSON schema must be an object."), code="ai_bad_schema")
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise NodeError(
            gettext_noop("The JSON schema is not valid: %(reason)s"), code="ai_bad_schema", values={"reason": exc.message}
        ) from None
    return schema


def instructions(schema: dict) -> str:
    return "Answer with one JSON object only, no other text and no code fence. It must match this JSON schema:\n" + json.dumps(
        schema, ensure_ascii=False
    )


def problems(text: str, schema: dict) -> tuple[object, list[str]]:
    """(the parsed answer, what is wrong with it); no problems means the answer fits the schema."""
    candidate = text.strip()
    fenced = _FENCE.match(candidate)
    if fenced:
        candidate = fenced.group(1)
    if not candidate.startswith("{") and "{" in candidate:
        candidate = candidate[candidate.index("{") : candidate.rindex("}") + 1]
    try:
        value = json.loads(candidate)
    except ValueError as exc:
        return None, [f"The answer is not valid JSON ({exc.msg} at position {exc.pos})."]
    validator = jsonschema.Draft202012Validator(schema)
    found = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    return value, [f"{'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}" for e in found[:5]]


def retry_prompt(found: list[str]) -> str:
    return "Your answer did not match the JSON schema:\n- " + "\n- ".join(found) + "\nAnswer again with one corrected JSON object only."
