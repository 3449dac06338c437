"""What the payment-result triggers (Toss Payments, KakaoPay, NaverPay) share: a call to the flow's address is never
trusted by itself. The trigger names the payment from the call, looks it up at the provider with the flow's
credential, and starts one run per payment state:

- the credential is missing or unusable → `webhook_misconfigured` (500): the flow is set up wrong, not the caller;
- the provider does not know the payment → the call is ignored (answered, no run);
- the look-up fails otherwise (the provider is down, a timeout) → `unavailable` (503), so a provider that retries
  un-answered calls tries again later;
- the payment is in a state the person did not choose → ignored; else a run, keyed by the payment and its state so
  that a retried call or a replay never starts the flow twice.

Each provider says only how to name the payment, how to look it up and how to read its state (see
catalog/toss.py, catalog/kakaopay.py, catalog/naverpay.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.utils.translation import gettext as _

from apps.connectors.http import Credential, HostContext
from apps.core.errors import DomainError
from apps.core.jsonbody import JSONInputError, json_loads
from apps.flows.engine.errors import NodeError
from apps.flows.nodes.base import NodeType
from apps.flows.triggers.inbound import IgnoreCall, StartRun


def webhook_values(call) -> dict:
    """The values a payment call carries: the address's query, then a form or a JSON object body (strings and numbers
    only). A body that claims to be JSON and is not is refused in words."""
    values = {str(k): str(v) for k, v in (call.query or {}).items()}
    body = call.body or b""
    if body:
        content_type = (call.content_type or "").lower()
        if "json" in content_type or body.lstrip()[:1] == b"{":
            try:
                parsed = json_loads(body)
            except (JSONInputError, ValueError):
                raise DomainError(_("The request body is not valid JSON."), code="bad_json") from None
            if isinstance(parsed, dict):
                values.update({str(k): str(v) for k, v in parsed.items() if isinstance(v, (str, int))})
        else:
            values.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return values


@dataclass(frozen=True)
class PaymentCheck:
    """One provider's answers for the shared rules. The messages are callables returning translated text, so they are
    translated in the language of the request that reads them."""

    kind: str  # the credential kind the trigger's `credential` parameter names
    misconfigured: Callable[[], str]
    not_found: Callable[[], str]
    unavailable: Callable[[], str]
    not_found_codes: frozenset[str] = frozenset()

    def credential(self, host, params, *, usable: Callable[[Credential], bool] | None = None) -> tuple[HostContext, Credential]:
        """The trigger's credential read on the flow's host, or `webhook_misconfigured` when it is missing, of
        another kind, cannot be read, or lacks what the look-up needs (`usable`)."""
        ctx = HostContext(host)
        try:
            credential = Credential(ctx, params.get("credential"), self.kind)
        except NodeError:
            credential = None
        if credential is None or (usable is not None and not usable(credential)):
            raise DomainError(self.misconfigured(), code="webhook_misconfigured", status=500)
        return ctx, credential

    def look_up(self, lookup: Callable[[], Any]) -> Any:
        """The provider's answer about the payment; an IgnoreCall when the provider does not know it; `unavailable`
        (503) for any other failure."""
        try:
            return lookup()
        except NodeError as error:
            if error.code in self.not_found_codes:
                return IgnoreCall(self.not_found())
            raise DomainError(self.unavailable(), code="unavailable", status=503) from None


def start_for_state(item: dict, *, state: str, chosen, event_key: str) -> StartRun | IgnoreCall:
    """A run with the payment when its state is among the chosen ones (none chosen: every state), keyed by
    `event_key` (the payment and its state: the same call twice starts one run)."""
    wanted = [str(s).strip().upper() for s in (chosen or []) if str(s).strip()]
    if wanted and state not in wanted:
        return IgnoreCall(_("This flow does not start for payments in this status."))
    return StartRun([item], event_key=event_key, status=200)


class PaymentResultTrigger(NodeType):
    """A webhook trigger that starts the flow with the payment it looked up (receive_webhook); its run passes the
    payment on as the item."""

    category = "trigger"
    inputs = ()
    is_trigger = True
    trigger_kind = "webhook"

    def execute(self, ctx):
        return {"main": ctx.items}
