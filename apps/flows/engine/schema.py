"""JSON Schema of the `ezflow/1` graph format, served by the API for editors and programmers, and the shape check
of graphs people and programs send."""

from __future__ import annotations

import copy
from typing import Any

from apps.flows.engine.graph import STEP_TIMEOUT_LIMITS

GRAPH_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ezflow.example/schemas/flow-graph-1.json",
    "title": "EZFlow flow graph (ezflow/1)",
    "type": "object",
    "required": ["nodes", "edges"],
    "properties": {
        "format": {"const": "ezflow/1"},
        "nodes": {
            "type": "array",
            "maxItems": 2000,
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Stable id; edges and runs refer to it."},
                    "type": {"type": "string", "description": "Node type key from the node catalog, e.g. data.set."},
                    "type_version": {"type": "integer", "minimum": 1},
                    "name": {"type": "string", "description": 'Display name, unique in the flow; expressions use nodes["name"].'},
                    "parameters": {
                        "type": "object",
                        "description": "Per the node type's parameter schema; strings may hold {{ }} expressions.",
                    },
                    "position": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                    "settings": {
                        "type": "object",
                        "properties": {
                            "retry_attempts": {"type": "integer", "minimum": 1, "maximum": 10},
                            "retry_backoff_seconds": {"type": "number", "minimum": 0, "maximum": 30},
                            "timeout_seconds": {"type": "number", "minimum": 1, "maximum": STEP_TIMEOUT_LIMITS["max_seconds"]},
                            "on_error": {"enum": ["stop", "continue", "error_output"]},
                            "disabled": {"type": "boolean"},
                            "execute_once": {"type": "boolean"},
                            "notes": {"type": "string"},
                            "expression_dialect": {"enum": ["ezflow", "n8n"]},
                        },
                    },
                },
            },
        },
        "edges": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "target"],
                "properties": {
                    "source": {"type": "string"},
                    "source_port": {"type": "string", "default": "main"},
                    "target": {"type": "string"},
                    "target_port": {"type": "string", "default": "main"},
                },
            },
        },
        "pinned": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "object"}},
            "description": "Test data per node id (drafts only; removed when published).",
        },
    },
}


def _input_schema() -> dict:
    """What a client may save as a draft: the format's shape, with `format` and missing lists filled in on save.
    Out-of-range step settings are not refused here: a draft may have problems, which validation lists (and
    publishing refuses), so the editor never loses a draft to a number typed too large."""
    schema = copy.deepcopy({key: value for key, value in GRAPH_SCHEMA.items() if key != "required"})
    schema["$id"] = "https://ezflow.example/schemas/flow-graph-1-input.json"
    schema["title"] = "EZFlow flow graph as sent (ezflow/1; nodes, edges and pinned default to empty)"
    settings = schema["properties"]["nodes"]["items"]["properties"]["settings"]["properties"]
    for name, rule in list(settings.items()):
        settings[name] = {key: value for key, value in rule.items() if key not in ("minimum", "maximum")}
    settings["on_error"] = {"type": "string"}
    return schema


GRAPH_INPUT_SCHEMA = _input_schema()


def set_step_timeout_limit(seconds: int) -> None:
    """The platform's longest step (settings.EZFLOW_MAX_STEP_TIMEOUT_SECONDS): refused above it when saving, run
    with it when stored before, and the maximum the published schema states."""
    STEP_TIMEOUT_LIMITS["max_seconds"] = seconds
    GRAPH_SCHEMA["properties"]["nodes"]["items"]["properties"]["settings"]["properties"]["timeout_seconds"]["maximum"] = seconds


_validator = None


def graph_shape_error(graph: Any) -> str | None:
    """Where `graph` first departs from the format (a path like `nodes[0].id`, "" for the whole graph), or None.

    Only the shape: unknown step types, bad parameters and wrong edges are problems a draft may have."""
    global _validator
    if _validator is None:
        from jsonschema import Draft202012Validator

        _validator = Draft202012Validator(GRAPH_INPUT_SCHEMA)
    error = next(iter(sorted(_validator.iter_errors(graph), key=lambda e: list(map(str, e.absolute_path)))), None)
    if error is None:
        return None
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
