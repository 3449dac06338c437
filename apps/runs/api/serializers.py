from rest_framework import serializers

from apps.core.api.schema import ITEMS_SCHEMA, described, json_field
from apps.runs.models import NodeRun, Run
from apps.runs.sections import run_sections


class RunOutput(serializers.ModelSerializer):
    flow_name = serializers.CharField(source="flow.name", read_only=True)
    version = serializers.IntegerField(source="version.number", default=None, allow_null=True)
    duration_ms = serializers.IntegerField(read_only=True, allow_null=True)
    error = serializers.CharField(source="error_text", read_only=True)  # in the request's language; error_code is stable
    is_test = serializers.BooleanField(read_only=True, help_text="A test of the draft from the editor, kept apart from production runs.")

    class Meta:
        model = Run
        fields = [
            "id",
            "flow",
            "flow_name",
            "number",
            "is_test",
            "version",
            "trigger",
            "status",
            "error",
            "error_code",
            "error_node_id",
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
            "retry_of",
            "seq",
        ]


class NodeRunOutput(serializers.ModelSerializer):
    error = serializers.CharField(source="error_text", read_only=True)

    class Meta:
        model = NodeRun
        fields = [
            "node_id",
            "run_index",
            "node_name",
            "node_type",
            "status",
            "attempts",
            "items_in",
            "items_out",
            "output_sample",
            "error",
            "error_code",
            "error_detail",
            "started_at",
            "finished_at",
            "seq",
        ]


class RunDetailOutput(RunOutput):
    node_runs = NodeRunOutput(many=True, read_only=True)
    extensions = described(
        {"type": "object", "additionalProperties": True},
        serializers.SerializerMethodField,
        help_text="What other parts of EZFlow add to the run, by key: `ai_usage` (tokens and estimated cost per AI step and in total).",
    )

    class Meta(RunOutput.Meta):
        fields = [*RunOutput.Meta.fields, "input_items", "result_sample", "response", "error_detail", "node_runs", "extensions"]

    def get_extensions(self, run) -> dict:
        return run_sections.for_api(run)


class RunInput(serializers.Serializer):
    items = json_field(ITEMS_SCHEMA, required=False, help_text="Input items (JSON objects); by default one empty item.")
    draft = serializers.BooleanField(
        required=False, default=False, help_text="Test the draft (with pinned data) instead of the published version."
    )


class RunRetryInput(serializers.Serializer):
    from_failed_node = serializers.BooleanField(
        required=False, default=True, help_text="Start again at the step that failed (reusing earlier results), or from the start."
    )


class RealtimeTicketOutput(serializers.Serializer):
    ticket = serializers.CharField()
    path = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds.")


class WebhookListenInput(serializers.Serializer):
    node_id = serializers.CharField(max_length=100, required=False, help_text="The webhook step; its first one if left out.")


class WebhookListenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    node_id = serializers.CharField()
    status = serializers.CharField(help_text="listening, captured or expired")
    test_url = serializers.CharField()
    curl = serializers.CharField()
    expires_at = serializers.DateTimeField()
    item = serializers.JSONField(allow_null=True, help_text="The captured request, as a production run receives it.")
