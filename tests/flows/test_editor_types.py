"""The editor's TypeScript types are generated from JSON Schemas committed in frontend/schema/: they must describe
what the server really serves, or the types drift silently from the data."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator

SCHEMAS = Path(settings.BASE_DIR) / "frontend" / "schema"
REGENERATE = "refresh frontend/schema/, then run `npm run types` in frontend/ and commit both"


@pytest.fixture
def api(data):
    return data.editor_api(data.create_organization(slug="editor-types"))


def test_the_committed_graph_schema_is_the_one_the_server_serves(api):
    served = api.get("/api/v1/flows/schema").json()
    committed = json.loads((SCHEMAS / "flow-graph.schema.json").read_text(encoding="utf-8"))
    assert committed == served, f"frontend/schema/flow-graph.schema.json differs from GET /api/v1/flows/schema: {REGENERATE}"


def test_the_node_catalog_matches_the_editors_schema(api):
    schema = json.loads((SCHEMAS / "node-catalog.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    catalog = api.get("/api/v1/nodes").json()
    assert len(catalog) > 20
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(schema).iter_errors(catalog)]
    assert not errors, f"GET /api/v1/nodes does not match frontend/schema/node-catalog.schema.json ({REGENERATE}): {errors[:5]}"


def test_the_catalog_schema_refuses_what_the_editor_would_not_understand():
    schema = json.loads((SCHEMAS / "node-catalog.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    entry = {
        "key": "x.y",
        "version": 1,
        "category": "data",
        "icon": "box",
        "label": {"en": "X", "ko": "엑스"},
        "description": {},
        "is_trigger": False,
        "inputs": ["main"],
        "outputs": ["main"],
        "parameters": [],
    }
    assert validator.is_valid([entry])
    assert validator.is_valid([{**entry, "dynamic_outputs": {"from": "rules", "then": ["fallback"]}, "is_loop": False}])
    assert not validator.is_valid([{**entry, "a_new_field": 1}])  # a new server field needs a type first
    assert not validator.is_valid([{**entry, "dynamic_outputs": {"from": "rules"}}])
    assert not validator.is_valid([{k: v for k, v in entry.items() if k != "outputs"}])
