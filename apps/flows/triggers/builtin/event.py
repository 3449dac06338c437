from apps.flows.triggers.registry import TriggerKind, register_trigger_kind


@register_trigger_kind
class Event(TriggerKind):
    """Started by something that happens inside EZFlow (another flow failing); the step's own label and description
    say which, and the app where it happens starts the run."""

    key = "event"
