from apps.flows.triggers.polling import PollingTriggerKind
from apps.flows.triggers.registry import register_trigger_kind

# Declared for the connectors' "new item" triggers; no built-in step polls yet.
register_trigger_kind(PollingTriggerKind)
