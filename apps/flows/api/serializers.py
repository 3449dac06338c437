from rest_framework import serializers

from apps.flows.engine.versions import upgrade_graph_data
from apps.flows.models import Credential, Flow, FlowVersion
from apps.flows.nodes.registry import registry


class UpgradedGraphField(serializers.JSONField):
    """A stored graph as the editor loads it: nodes saved by older versions of their type are brought up to date."""

    def to_representation(self, value):
        return super().to_representation(upgrade_graph_data(value, registry))


class FlowListOutput(serializers.ModelSerializer):
    published_version = serializers.IntegerField(source="published_version.number", default=None)

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
    name = serializers.CharField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.JSONField(required=False)
    graph = serializers.JSONField(required=False)
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
    class Meta(VersionOutput.Meta):
        fields = [*VersionOutput.Meta.fields, "graph"]


class PublishInput(serializers.Serializer):
    message = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PinInput(serializers.Serializer):
    node_id = serializers.CharField(max_length=100)
    items = serializers.JSONField(allow_null=True)


class TestNodeInput(serializers.Serializer):
    node_id = serializers.CharField(max_length=100)
    items = serializers.JSONField(required=False)


class VariableSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200, required=False)
    value = serializers.CharField(required=False, allow_blank=True)


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


class CredentialInput(serializers.Serializer):
    name = serializers.CharField(max_length=500, required=False, allow_blank=True)
    type = serializers.CharField(max_length=50, required=False)
    data = serializers.JSONField(required=False)
