from django.utils.translation import gettext as _

from apps.accounts.models.organization import site_url
from apps.flows.triggers.registry import TriggerKind, TriggerSummary, register_trigger_kind


@register_trigger_kind
class Webhook(TriggerKind):
    """Started by a request to the flow's own address; the address is the flow's token, so there is nothing to wire
    when a flow is published or switched (the webhook entry reads the live version and switch per request)."""

    key = "webhook"

    def summary(self, *, node, node_type, flow, organization) -> TriggerSummary:
        methods = (node.get("parameters") or {}).get("methods") or ["POST"]
        return TriggerSummary(
            kind=self.key,
            name=str(node.get("name") or node_type.key),
            title=_("Webhook"),
            description=_("Another system starts this flow by sending a request to this address."),
            url=site_url(organization.host, f"/webhook/{flow.webhook_token}"),
            methods=", ".join(str(m) for m in methods) if isinstance(methods, list) else str(methods),
        )
