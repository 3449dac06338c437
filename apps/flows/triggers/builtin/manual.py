from django.utils.translation import gettext as _

from apps.flows.triggers.registry import TriggerKind, TriggerSummary, register_trigger_kind


@register_trigger_kind
class Manual(TriggerKind):
    """Started by a person (Run now, the editor) or the API; nothing to wire."""

    key = "manual"

    def summary(self, *, node, node_type, flow, organization) -> TriggerSummary:
        name = str(node.get("name") or node_type.key)
        return TriggerSummary(kind=self.key, name=name, title=_("Manual start"), description=_("Starts when someone presses Run now."))
