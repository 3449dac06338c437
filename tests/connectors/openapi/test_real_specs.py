"""The twelve public documents in ../shared/data/openapi-specs (never copied here) import with every operation."""

from pathlib import Path

import pytest
from django.utils import translation

from apps.connectors.openapi import call
from apps.connectors.openapi.parse import load_text, read_spec
from apps.connectors.openapi.text import skipped_list

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "openapi-specs"

# file: (operations, security scheme types, whether the document names its server)
EXPECTED = {
    "01-nyt-books-api.json": (6, {"api_key"}, True),
    "02-nyt-semantic-api.yaml": (2, {"api_key"}, True),
    "03-slack-web-api.json": (174, {"oauth2"}, True),
    "04-netlify.yml": (174, {"oauth2"}, True),
    "05-gotify.json": (42, {"api_key", "basic"}, True),
    "06-twilio-messaging-v1.yaml": (58, {"basic"}, True),
    "07-discourse.yml": (93, set(), True),
    "08-openai.yaml": (288, {"bearer"}, True),
    "09-xero-accounting.yaml": (235, {"oauth2"}, True),
    "10-meilisearch.json": (113, {"bearer"}, False),  # servers: [{url: /}]: the step asks for the address
    "11-xero-projects.yaml": (16, {"oauth2"}, True),
    "12-twilio-api-v2010.json": (197, {"basic"}, True),
}


def spec_text(name: str) -> str:
    path = SPECS / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared OpenAPI documents live next to the repository (../shared/data/openapi-specs)")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_public_document_imports_every_operation(name):
    operations, scheme_types, absolute = EXPECTED[name]
    spec = read_spec(load_text(spec_text(name)))
    assert len(spec.operations) == operations, [entry["operation"] for entry in spec.skipped][:10]
    assert {scheme["type"] for scheme in spec.security_schemes.values()} == scheme_types
    assert spec.servers[0]["url"].startswith(("https://", "http://")) is absolute
    ids = [op["id"] for op in spec.operations]
    assert len(set(ids)) == len(ids)
    for op in spec.operations:
        assert op["method"] in {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"} and op["path"].startswith("/")
        keys = [f["key"] for f in op["parameters"]]
        assert len(set(keys)) == len(keys), op["id"]
        assert all(f"{{{f['name']}}}" in op["path"] for f in op["parameters"] if f["in"] == "path"), op["id"]
        # Every operation can be signed with some credential kind (or needs none).
        assert call.accepted_kinds(op, spec.security_schemes), op["id"]
    with translation.override("ko"):
        assert all(entry["reason"] for entry in skipped_list(spec.skipped))


def test_bodies_of_the_public_documents_become_form_fields():
    twilio = {op["id"]: op for op in read_spec(load_text(spec_text("12-twilio-api-v2010.json"))).operations}
    message = twilio["CreateMessage"]
    assert message["body"]["content_type"] == "application/x-www-form-urlencoded"
    assert {"To", "From", "Body"} <= {f["name"] for f in message["parameters"] if f["in"] == "body"}
    openai = {op["id"]: op for op in read_spec(load_text(spec_text("08-openai.yaml"))).operations}
    chat = {f["name"]: f for f in openai["createChatCompletion"]["parameters"]}
    assert chat["messages"]["required"] and chat["model"]["required"] and chat["temperature"]["type"] == "number"
    gotify = {op["id"]: op for op in read_spec(load_text(spec_text("05-gotify.json"))).operations}
    upload = gotify["uploadAppImage"]
    assert upload["body"]["content_type"] == "multipart/form-data" and upload["parameters"][-1]["type"] == "file"
    assert upload["auth"] == [["clientTokenAuthorizationHeader"], ["clientTokenHeader"], ["clientTokenQuery"], ["basicAuth"]]
