from rest_framework import serializers

from apps.assistant.services import MAX_PROMPT_CHARS
from apps.flows.api.serializers import graph_field


class DraftInput(serializers.Serializer):
    prompt = serializers.CharField(max_length=MAX_PROMPT_CHARS, help_text="What to automate, in Korean or English.")
    graph = graph_field(required=False, allow_null=True, help_text="The current flow, for a follow-up that changes it.")
    language = serializers.ChoiceField(choices=["ko", "en"], required=False, help_text="The answer's language (default: the prompt's).")


class ChangeOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["added", "changed", "removed"])
    node_id = serializers.CharField()
    type = serializers.CharField()
    name = serializers.CharField()


class MissingOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=["connect", "fill", "unmapped", "no_steps", "problem"])
    message = serializers.CharField()
    node_id = serializers.CharField(required=False, allow_null=True)
    credential_type = serializers.CharField(required=False)
    parameter = serializers.CharField(required=False)
    suggested_types = serializers.ListField(child=serializers.CharField(), required=False)


class DraftOutput(serializers.Serializer):
    message = serializers.CharField()
    graph = graph_field()
    changes = ChangeOutput(many=True)
    missing = MissingOutput(many=True)
    engine = serializers.ChoiceField(choices=["offline", "claude"])
    notice = serializers.CharField(help_text="Why the offline planner answered although Claude was configured; empty otherwise.")


class AskInput(serializers.Serializer):
    prompt = serializers.CharField(max_length=MAX_PROMPT_CHARS, help_text="What to build or change, in Korean or English.")
    graph = graph_field(
        required=False, allow_null=True, help_text="The flow as the editor shows it (may be unsaved); default: the saved draft."
    )
    language = serializers.ChoiceField(choices=["ko", "en"], required=False, help_text="The answer's language (default: the prompt's).")


class TurnOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    prompt = serializers.CharField()
    message = serializers.CharField()
    notice = serializers.CharField(help_text="Why the offline planner answered although Claude was configured; empty otherwise.")
    engine = serializers.ChoiceField(choices=["offline", "claude"])
    graph_before = graph_field(allow_null=True, help_text="The flow the request was about (what “Undo this change” restores).")
    graph = graph_field(help_text="The proposed flow.")
    changes = ChangeOutput(many=True)
    missing = MissingOutput(many=True)
    state = serializers.ChoiceField(choices=["proposed", "applied", "discarded", "undone"])


class ConversationOutput(serializers.Serializer):
    turns = TurnOutput(many=True)


class StateInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=["applied", "discarded", "undone"])
