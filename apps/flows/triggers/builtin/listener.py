from apps.flows.triggers.listener import ListenerTriggerKind
from apps.flows.triggers.registry import register_trigger_kind

# For connectors whose triggers keep a connection open (MQTT subscriptions).
register_trigger_kind(ListenerTriggerKind)
