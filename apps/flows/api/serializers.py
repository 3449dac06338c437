from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from apps.core.api.schema import ITEMS_SCHEMA, JSONSchemaField, described, json_field
from apps.flows.engine.schema import GRAPH_INPUT_SCHEMA, GRAPH_SCHEMA
from apps.flows.engine.versions import upgrade_graph_data
from apps.flows.models import Credential, Flow, FlowVersion
from apps.flows.nodes.registry import registry


def graph_field(**kwargs) -> JSONSchemaField:
    """A graph a client sends; the flows service checks its shape against the same schema."""
    return JSONSchemaField(component="FlowGraphInput", json_schema=GRAPH_INPUT_SCHEMA, **kwargs)


TAGS_SCHEMA = {"type": "array", "items": {"type": "string", "maxLength": 50}, "maxItems": 20}


class UpgradedGraphField(JSONSchemaField):
    """A stored draft as the editor loads it: nodes saved by older versions of their type are brought up to date.
    (A draft may have problems, so it is described like a graph sent, not like a published one.)"""

    def __init__(self, **kwargs):
        super().__init__(component="FlowGraphInput", json_schema=GRAPH_INPUT_SCHEMA, **kwargs)

    def to_representation(self, value):
        return super().to_representation(upgrade_graph_data(value, registry))


class FlowListOutput(serializers.ModelSerializer):
    published_version = serializers.IntegerField(source="published_version.number", default=None, allow_null=True)

    class Meta:
        model = Flow
        fields = ["id", "name", "description", "tags", "active", "published_version", "draft_revision", "created_at", "updated_at"]


class FlowOutput(FlowListOutput):
    graph = UpgradedGraphField(source="draft")
    webhook_path = serializers.SerializerMethodField()

    class Meta(FlowListOutput.Meta):
        fields = [*FlowListOutput.Meta.fields, "graph", "save_history", "webhook_path", "error_flow", "time_zone"]

    def get_webhook_path(self, flow) -> str:
        return f"/webhook/{flow.webhook_token}"


class FlowInput(serializers.Serializer):
    name = described(
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}, serializers.CharField, max_length=200, allow_blank=True
    )
    description = serializers.CharField(required=False, allow_blank=True)
    tags = json_field(TAGS_SCHEMA, required=False)
    graph = graph_field(required=False)
    save_history = serializers.BooleanField(required=False)
    error_flow = serializers.IntegerField(
        required=False, allow_null=True, help_text="A flow with an error trigger, run when this one fails."
    )
    time_zone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    revision = serializers.IntegerField(required=False, help_text="The draft_revision you loaded; a newer one on the server gives 409.")


class VersionOutput(serializers.ModelSerializer):
    class Meta:
        model = FlowVersion
        fields = ["id", "number", "message", "created_at"]


class VersionDetailOutput(VersionOutput):
    graph = JSONSchemaField(component="FlowGraph", json_schema=GRAPH_SCHEMA)

    class Meta(VersionOutput.Meta):
        fields = [*VersionOutput.Meta.fields, "graph"]


class PublishInput(serializers.Serializer):
    message = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PinInput(serializers.Serializer):
    node_id = serializers.CharField(max_length=100)
    items = json_field({**ITEMS_SCHEMA, "nullable": True}, allow_null=True, help_text="Test data for the step; null unpins it.")


class TestNodeInput(serializers.Serializer):
    node_id = serializers.CharField(max_length=100)
    items = json_field(ITEMS_SCHEMA, required=False, help_text="Input items; by default the pinned data of the step before.")


class VariableSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = described(
        {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"},
        serializers.CharField,
        help_text="Letters, digits and _, starting with a letter or _ (used as vars.<name>).",
    )
    value = described({"type": "string", "maxLength": 10_000}, serializers.CharField, required=False, allow_blank=True)


class CredentialOutput(serializers.ModelSerializer):
    status_message = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = ["id", "name", "type", "status", "status_message", "created_at", "updated_at"]

    def get_status_message(self, credential) -> str:
        from apps.flows.services.credentials import credential_status_message

        return credential_status_message(credential)


class CredentialTestInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CredentialDetailOutput(CredentialOutput):
    fields = serializers.DictField(child=serializers.CharField(), help_text="The values that are not secret.")

    class Meta(CredentialOutput.Meta):
        fields = [*CredentialOutput.Meta.fields, "fields"]


CREDENTIAL_DATA_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "Field values by name (GET /api/v1/credentials/types); secret values left out keep their stored value.",
}


class CredentialInput(serializers.Serializer):
    """Creating: one of the credential types with its fields (the schema lists each registered type)."""

    name = serializers.CharField(max_length=500, allow_blank=True)
    type = serializers.CharField(max_length=50)
    data = json_field(CREDENTIAL_DATA_SCHEMA)


class CredentialUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=500, required=False, allow_blank=True)
    data = json_field(CREDENTIAL_DATA_SCHEMA, required=False)


def _field_schema(kind, item: dict) -> dict:
    if item.get("pattern"):
        shape = {"type": "string", "pattern": item["pattern"], **({"format": "uri"} if item.get("url") else {})}
        return {**shape, "example": item["example"]} if item.get("example") else shape
    if item.get("url") or (kind.oauth2 and item["name"].endswith("_url")):  # the addresses OAuth2Kind.problems() checks
        return {"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
    return {"type": "string", **({"minLength": 1, "pattern": r"\S"} if item["required"] else {})}


class CredentialInputExtension(OpenApiSerializerExtension):
    """The credential kinds registered when the schema is made, each with its fields, so a client sending a
    schema-valid credential is accepted (the kinds come from a registry that apps add to)."""

    target_class = CredentialInput

    def map_serializer(self, auto_schema, direction):
        from apps.flows import credential_kinds

        variants = []
        for kind in credential_kinds.all_kinds():
            fields = kind.describe()["fields"]
            properties = {item["name"]: _field_schema(kind, item) for item in fields}
            data = {"type": "object", "properties": properties, "additionalProperties": False}
            if any(item["required"] for item in fields):  # OpenAPI 3.0: `required` is never empty
                data["required"] = [item["name"] for item in fields if item["required"]]
            variants.append(
                {
                    "type": "object",
                    "title": kind.key,
                    "required": ["name", "type", "data"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": r"\S"},
                        # (in allOf: drf-spectacular would merge these one-value enums into one component)
                        "type": {"allOf": [{"type": "string", "enum": [kind.key]}]},
                        "data": data,
                    },
                }
            )
        return {"oneOf": variants}


class ProblemOutput(serializers.Serializer):
    code = serializers.CharField()
    node_id = serializers.CharField(allow_null=True)
    path = serializers.CharField(allow_blank=True)
    params = serializers.DictField()
    message = serializers.CharField()


class ValidateInput(serializers.Serializer):
    graph = graph_field()


class FlowValidateInput(serializers.Serializer):
    graph = graph_field(required=False, help_text="Left out: the flow's saved draft is validated.")


class ValidateOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = ProblemOutput(many=True)


class FlowExportSerializer(serializers.Serializer):
    format = described({"type": "string", "enum": ["ezflow/1"]}, serializers.CharField)
    name = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    tags = json_field(TAGS_SCHEMA, required=False)
    graph = graph_field()


N8N_CONNECTIONS_SCHEMA = {
    "type": "object",
    "description": "n8n's connections by source node name; others are left out with a warning.",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "main": {
                "type": "array",
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["node"],
                        "properties": {"node": {"type": "string"}, "type": {"type": "string"}, "index": {"type": "integer"}},
                    },
                },
            }
        },
    },
}


class N8nWorkflowInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    nodes = serializers.ListField(child=serializers.DictField())
    connections = described(N8N_CONNECTIONS_SCHEMA, serializers.DictField)


class N8nExportOutput(serializers.Serializer):
    workflow = serializers.DictField(help_text="An n8n workflow: name, nodes, connections.")
    skipped = serializers.ListField(child=serializers.DictField(), help_text="Steps with no n8n equivalent (No Operation nodes).")
    warnings = serializers.ListField(child=serializers.DictField())


class ImportStepReport(serializers.Serializer):
    node = serializers.CharField()
    node_id = serializers.CharField()
    n8n_type = serializers.CharField()
    step_type = serializers.CharField()
    status = serializers.CharField(help_text="imported, check (imported, to check), placeholder, or absorbed (part of another step).")
    summary = serializers.CharField(help_text="The status in the reader's language.")
    reasons = serializers.ListField(child=serializers.DictField())


class ImportedFlowOutput(serializers.Serializer):
    flow = FlowOutput()
    source = serializers.ChoiceField(choices=["ezflow", "n8n"])
    unsupported = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())
    report = ImportStepReport(many=True)
    credentials = serializers.ListField(child=serializers.DictField(), help_text="Credentials the flow needs: kind, name, nodes.")
    problems = ProblemOutput(many=True)


class ImportOutput(ImportedFlowOutput):
    flows = ImportedFlowOutput(many=True, help_text="Every flow made from the file (several for a list of n8n workflows).")


class TestNodeOutput(serializers.Serializer):
    node_id = serializers.CharField()
    status = serializers.CharField()
    items_in = serializers.IntegerField()
    items_out = serializers.IntegerField()
    outputs = serializers.DictField()
    error = serializers.CharField(allow_null=True, allow_blank=True)
    error_code = serializers.CharField(allow_null=True, allow_blank=True)


class CredentialFieldOutput(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    secret = serializers.BooleanField()
    required = serializers.BooleanField()
    url = serializers.BooleanField(required=False, help_text="The value is an http(s) address.")
    pattern = serializers.CharField(required=False, help_text="The value's shape (JavaScript regular expression).")
    example = serializers.CharField(required=False, help_text="A made-up value of that shape.")


class CredentialTypeOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    fields = CredentialFieldOutput(many=True)
    http_auth = serializers.BooleanField()
    oauth2 = serializers.BooleanField()
    can_test = serializers.BooleanField()
    test_needs_url = serializers.BooleanField()
    help = serializers.CharField(help_text="Where the values are found, with the provider's own page names.")
    icon = serializers.CharField(help_text="Address of the service's small icon (SVG), or empty.")


class CredentialTestOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()


class OAuth2AuthorizeInput(serializers.Serializer):
    return_to = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="A path on this organization's host to come back to after the sign-in (the editor with the step); else ignored.",
    )


class OAuth2AuthorizeOutput(serializers.Serializer):
    authorization_url = serializers.URLField()
    redirect_uri = serializers.URLField()
