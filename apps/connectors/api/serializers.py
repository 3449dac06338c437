from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from apps.connectors.models import ApiConnector, ApiConnectorVersion
from apps.connectors.openapi import call
from apps.connectors.openapi.parse import MAX_SPEC_BYTES
from apps.connectors.openapi.text import reason_text, skipped_list
from apps.core.api.schema import described, json_field


class ConnectorImportInput(serializers.Serializer):
    """Types only; the service checks the name, the document and the address with its own translated messages."""

    name = described({"type": "string", "maxLength": 100, "minLength": 1}, serializers.CharField, trim_whitespace=True)
    spec = described(
        {"type": "string", "maxLength": MAX_SPEC_BYTES, "description": "The OpenAPI 3.0/3.1 or Swagger 2.0 document as JSON or YAML text."},
        serializers.CharField,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
    )
    url = described(
        {"type": "string", "maxLength": 2000, "description": "Instead of `spec`: an http(s) address to fetch the document from."},
        serializers.CharField,
        required=False,
        allow_blank=True,
    )


class ConnectorImportInputExtension(OpenApiSerializerExtension):
    """Either the document or the address to fetch it from, said as two shapes so generated clients send one."""

    target_class = ConnectorImportInput

    def map_serializer(self, auto_schema, direction):
        name = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"}
        spec = {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_SPEC_BYTES,
            "description": "The OpenAPI 3.0/3.1 or Swagger 2.0 document as JSON or YAML text.",
        }
        url = {
            "type": "string",
            "format": "uri",
            "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://",
            "maxLength": 2000,
            "description": "An http(s) address to fetch the document from.",
        }
        return {
            "oneOf": [
                {"type": "object", "title": "document", "required": ["name", "spec"], "properties": {"name": name, "spec": spec}},
                {"type": "object", "title": "address", "required": ["name", "url"], "properties": {"name": name, "url": url}},
            ]
        }


class ConnectorSkippedOutput(serializers.Serializer):
    operation = serializers.CharField()
    reason = serializers.CharField()


class ConnectorOperationSummaryOutput(serializers.Serializer):
    id = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    summary = serializers.CharField()


class ConnectorImportOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The connector's id.")
    name = serializers.CharField()
    version = serializers.IntegerField()
    operations = ConnectorOperationSummaryOutput(many=True)
    skipped = ConnectorSkippedOutput(many=True)
    diff = json_field({"type": "object", "additionalProperties": True})

    @staticmethod
    def of(version: ApiConnectorVersion) -> dict:
        return {
            "id": version.connector_id,
            "name": version.connector.name,
            "version": version.number,
            "operations": [{key: op[key] for key in ("id", "method", "path", "summary")} for op in version.operations],
            "skipped": skipped_list(version.skipped),
            "diff": version.diff,
        }


class ConnectorOutput(serializers.ModelSerializer):
    latest_version = serializers.IntegerField(source="latest_number", allow_null=True)

    class Meta:
        model = ApiConnector
        fields = ["id", "name", "latest_version", "created_at", "updated_at"]


PARAMETER_SCHEMA = {
    "type": "object",
    "required": ["key", "name", "in", "required", "type", "description"],
    "properties": {
        "key": {"type": "string", "description": "The name to use in the step's values (location.name when two share a name)."},
        "name": {"type": "string"},
        "in": {"type": "string", "enum": ["path", "query", "header", "body"]},
        "required": {"type": "boolean"},
        "type": {"type": "string", "enum": ["string", "integer", "number", "boolean", "array", "object", "file", "json", "null"]},
        "description": {"type": "string"},
        "enum": {"type": "array", "items": {}},
        "default": {},
        "format": {"type": "string"},
        "items": {"type": "string"},
    },
}


class ConnectorOperationOutput(serializers.Serializer):
    id = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField()
    tag = serializers.CharField()
    deprecated = serializers.BooleanField()
    parameters = json_field({"type": "array", "items": PARAMETER_SCHEMA})
    body_content_type = serializers.CharField(allow_null=True)
    authentication = serializers.ListField(child=serializers.CharField(), help_text="Credential kinds it accepts; `none` when optional.")
    servers = serializers.ListField(child=serializers.CharField())

    @staticmethod
    def of(version: ApiConnectorVersion, op: dict) -> dict:
        return {
            **{key: op[key] for key in ("id", "method", "path", "summary", "description", "tag", "deprecated", "parameters")},
            "body_content_type": (op.get("body") or {}).get("content_type"),
            "authentication": call.accepted_kinds(op, version.security_schemes),
            "servers": [s["url"] for s in (op.get("servers") or version.servers)],
        }


class ConnectorVersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    spec_version = serializers.CharField()
    title = serializers.CharField()
    api_version = serializers.CharField()
    source_url = serializers.CharField()
    created_at = serializers.DateTimeField()
    operation_count = serializers.IntegerField()
    skipped = ConnectorSkippedOutput(many=True)
    diff = json_field({"type": "object", "additionalProperties": True})

    @staticmethod
    def of(version: ApiConnectorVersion) -> dict:
        return {
            "number": version.number,
            "spec_version": version.spec_version,
            "title": version.title,
            "api_version": version.api_version,
            "source_url": version.source_url,
            "created_at": version.created_at,
            "operation_count": len(version.operations),
            "skipped": skipped_list(version.skipped),
            "diff": version.diff,
        }


class ConnectorSecuritySchemeOutput(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    detail = serializers.CharField()

    @staticmethod
    def of(name: str, scheme: dict) -> dict:
        if scheme["type"] == "api_key":
            detail = f"{scheme['in']}: {scheme['name']}"
        elif scheme["type"] == "unsupported":
            detail = reason_text(scheme["why"])
        elif scheme["type"] == "oauth2":
            detail = " ".join(scheme.get("scopes") or [])[:500]
        else:
            detail = ""
        return {"name": name, "type": scheme["type"], "detail": detail}


class ConnectorDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = ConnectorVersionOutput()
    servers = serializers.ListField(child=serializers.CharField())
    security_schemes = ConnectorSecuritySchemeOutput(many=True)
    operations = ConnectorOperationOutput(many=True)
    versions = ConnectorVersionOutput(many=True)

    @staticmethod
    def of(connector: ApiConnector, versions: list[ApiConnectorVersion]) -> dict:
        latest = versions[0]
        return {
            "id": connector.pk,
            "name": connector.name,
            "version": ConnectorVersionOutput.of(latest),
            "servers": [s["url"] for s in latest.servers],
            "security_schemes": [ConnectorSecuritySchemeOutput.of(n, s) for n, s in latest.security_schemes.items()],
            "operations": [ConnectorOperationOutput.of(latest, op) for op in latest.operations],
            "versions": [ConnectorVersionOutput.of(v) for v in versions],
        }
