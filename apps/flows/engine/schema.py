"""JSON Schema of the `ezflow/1` graph format, served by the API for editors and programmers."""

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
                            "timeout_seconds": {"type": "number", "minimum": 1, "maximum": 3600},
                            "on_error": {"enum": ["stop", "continue", "error_output"]},
                            "disabled": {"type": "boolean"},
                            "execute_once": {"type": "boolean"},
                            "notes": {"type": "string"},
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
