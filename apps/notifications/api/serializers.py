from rest_framework import serializers

from apps.core.api.schema import described
from apps.notifications import messages
from apps.notifications.models import AlertRule, Notification


class NotificationOutput(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "message",
            "flow",
            "flow_name",
            "run",
            "url",
            "count",
            "created_at",
            "updated_at",
            "read",
            "delivery",
        ]

    def get_title(self, obj) -> str:
        return messages.title(kind=obj.kind, flow_name=obj.flow_name, count=obj.count, details=obj.details)

    def get_message(self, obj) -> str:
        return messages.summary(kind=obj.kind, error_node_id=obj.error_node_id, error_message=obj.error_message, details=obj.details)

    def get_url(self, obj) -> str:
        if obj.kind == "credential":
            return "/connections/"
        if obj.run_id:
            return f"/runs/{obj.run_id}/"
        return f"/flows/{obj.flow_id}/" if obj.flow_id else "/notifications/"

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class AlertRuleOutput(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    slack = serializers.SerializerMethodField()
    recipients = serializers.ListField(source="recipient_ids", child=serializers.IntegerField())

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "flow",
            "kind",
            "kind_label",
            "threshold",
            "duration_seconds",
            "in_app",
            "email",
            "slack",
            "slack_hint",
            "recipients",
            "deactivate_after",
            "enabled",
            "created_at",
            "updated_at",
        ]

    def get_kind_label(self, obj) -> str:
        return str(obj.get_kind_display())

    def get_slack(self, obj) -> bool:
        return bool(obj.slack_webhook)


class AlertRuleInput(serializers.Serializer):
    """Types only; ranges and combinations are checked by the service, all at once."""

    kind = described({"type": "string", "enum": AlertRule.Kind.values, "default": "failure"}, serializers.CharField, required=False)
    threshold = described({"type": "integer", "minimum": 1, "maximum": 100, "default": 3}, serializers.IntegerField, required=False)
    duration_seconds = described(
        {"type": "integer", "minimum": 1, "maximum": 86_400, "default": 300}, serializers.IntegerField, required=False
    )
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    slack_webhook_url = described(
        {"type": "string", "description": "A Slack incoming webhook address (https://hooks.slack.com/…); empty removes it."},
        serializers.CharField,
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=True,
    )
    recipients = described(
        {"type": "array", "items": {"type": "integer"}, "maxItems": 200, "description": "Ids of active members."},
        serializers.ListField,
        child=serializers.IntegerField(),
        required=False,
        max_length=200,
    )
    deactivate_after = described(
        {"type": "integer", "minimum": 1, "maximum": 100, "nullable": True},
        serializers.IntegerField,
        required=False,
        allow_null=True,
    )
    enabled = serializers.BooleanField(required=False)

    def changes(self) -> dict:
        values = dict(self.validated_data)
        if "recipients" in values:
            values["recipient_ids"] = values.pop("recipients")
        return values
