"""Everything the (made-up) Acme service adds to EZFlow, in one file: a polling trigger kind, a trigger step of that
kind, a routing step at version 2 with a migration from version 1, a secret parameter, one output per lane and an
n8n mapping, and a credential kind that signs HTTP requests. Nothing else in the product names them."""

from apps.flows.credential_kinds.base import CredentialKind, Field
from apps.flows.credential_kinds.registry import register as register_credential_kind
from apps.flows.nodes.base import DynamicOutputs, NodeType, Param, t
from apps.flows.nodes.n8n import Converted, N8nMapping, convert_expression, int_or, warning
from apps.flows.nodes.registry import register
from apps.flows.triggers.polling import PollingTriggerKind
from apps.flows.triggers.registry import register_trigger_kind


@register_credential_kind
class AcmeApiKey(CredentialKind):
    """Acme wants the account in one header and the key, reversed, in another."""

    key = "acme_api_key"
    label = t("Acme API key", "Acme API 키")
    http_auth = True
    fields = (Field("account", t("Account", "계정"), secret=False), Field("key", t("API key", "API 키")))

    def authenticate(self, request, data):
        request.headers["X-Acme-Account"] = data["account"]
        request.headers["X-Acme-Key"] = data["key"][::-1]


@register_trigger_kind
class AcmeInbox(PollingTriggerKind):
    """Acme's inbox is polled at most every five minutes (its rate limit)."""

    key = "acme_inbox"
    minimum_minutes = 5
    default_minutes = 15


@register
class AcmeNewMessage(NodeType):
    key = "acme.new_message"
    category = "trigger"
    icon = "mail"
    label = t("New Acme message", "새 Acme 메시지")
    description = t("Starts when a message arrives in an Acme inbox.", "Acme 받은편지함에 메시지가 오면 시작합니다.")
    inputs = ()
    is_trigger = True
    trigger_kind = "acme_inbox"
    params = (
        Param("inbox", "string", t("Inbox", "받은편지함"), required=True, expressions=False),
        Param("interval_minutes", "integer", t("Check every (minutes)", "확인 간격(분)"), default=15, expressions=False),
    )

    def poll(self, parameters: dict, state: dict, host) -> list[dict]:
        return list(host.acme_messages(parameters["inbox"]))

    def dedupe_key(self, item: dict) -> str:
        return str(item["id"])

    def execute(self, ctx):
        return {"main": ctx.items}


def _from_version_1(parameters: dict) -> dict:
    """Version 1 kept lanes as one comma-separated text and the key as `token`."""
    text = parameters.pop("lanes", "") or ""
    if not isinstance(text, str):
        raise TypeError("version 1 kept the lanes as text")
    lanes = [{"name": name.strip()} for name in text.split(",") if name.strip()]
    passphrase = parameters.pop("token", "")
    return {**parameters, "lanes": lanes, "passphrase": passphrase}


def _from_n8n(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = []
    if p.get("passphrase"):
        warnings.append(warning(node, "secret_not_imported", "The Acme passphrase was not imported; set it again."))
    lanes = [{"name": str(route.get("name", ""))} for route in (p.get("routes") or {}).get("values") or []]
    field = convert_expression(p.get("property", ""), warnings, node.get("name", ""), "parameters.property")
    return {"lanes": lanes, "field": field, "passphrase": ""}, warnings


def _n8n_ports(node: dict, parameters: dict) -> dict[int, list[str]]:
    lanes = len(parameters.get("lanes") or [])
    ports = {index: [str(index)] for index in range(lanes)}
    ports[int_or((node.get("parameters") or {}).get("otherOutput", lanes), lanes)] = ["other"]
    return ports


@register
class AcmeRoute(NodeType):
    key = "acme.route"
    version = 2
    category = "action"
    icon = "switch"
    label = t("Acme route", "Acme 분류")
    description = t("Sends each item to the lane named by one of its fields.", "항목의 필드 값에 맞는 갈래로 보냅니다.")
    params = (
        Param("lanes", "list", t("Lanes", "갈래"), default=[], item_fields=(Param("name", "string", t("Name", "이름")),)),
        Param("field", "string", t("Field", "필드"), required=True),
        Param("passphrase", "string", t("Acme passphrase", "Acme 암호문"), default="", expressions=False),
    )
    dynamic_outputs = DynamicOutputs("lanes", ("other",))
    secret_params = ("passphrase",)
    migrations = {1: _from_version_1}
    n8n = (N8nMapping(("n8n-nodes-acme.acmeRoute",), _from_n8n, output_ports=_n8n_ports),)

    def execute(self, ctx):
        ports = self.output_ports(ctx.node.parameters)
        lanes = {entry.get("name"): str(index) for index, entry in enumerate(ctx.node.parameters.get("lanes") or [])}
        out = {port: [] for port in ports}
        for _index, item, params in ctx.each():
            out[lanes.get(str(item.get(params["field"], "")), "other")].append(item)
        return out
