"""Secrets typed into steps never leave the organization: flow export scrubs them like template sharing does."""

from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.scrub import scrub_node_secrets
from apps.flows.services.transfer import graph_without_secrets

TYPED_SECRETS = {
    "nodes": [
        {"id": "hook", "type": "trigger.webhook", "name": "Hook", "parameters": {"auth": "header", "secret": "hook-secret-123"}},
        {
            "id": "sign",
            "type": "transform.crypto",
            "name": "Sign",
            "parameters": {"operation": "hmac_sha256", "value": "{{ json.body }}", "secret": "hmac-secret-456"},
        },
        {
            "id": "call",
            "type": "net.http",
            "name": "Call",
            "parameters": {
                "url": "https://kim:pa55word@api.example.com/orders?serviceKey=query-key-789",
                "headers": {"X-API-Key": "header-key-abc", "Authorization": "Bearer {{ vars.token }}", "Accept": "application/json"},
            },
        },
    ],
    "edges": [{"source": "hook", "target": "sign"}, {"source": "sign", "target": "call"}],
}


def test_export_removes_secrets_typed_into_steps_and_keeps_what_only_refers_to_them():
    exported = graph_without_secrets(TYPED_SECRETS)
    text = str(exported)
    for secret in ("hook-secret-123", "hmac-secret-456", "pa55word", "query-key-789", "header-key-abc"):
        assert secret not in text, secret
    headers = exported["nodes"][2]["parameters"]["headers"]
    assert headers["Authorization"] == "Bearer {{ vars.token }}" and headers["Accept"] == "application/json"
    assert TYPED_SECRETS["nodes"][1]["parameters"]["secret"] == "hmac-secret-456"  # the flow itself is untouched


def test_scrubbing_reports_each_removal_and_the_credential_types_needed():
    registry = load_builtin_nodes()
    node = {
        "id": "call",
        "type": "net.http",
        "parameters": {"authentication": "http_bearer", "credential": "42", "url": "https://x.example"},
    }
    removed = []
    needed = scrub_node_secrets(node, registry.get("net.http"), lambda path, kind: removed.append((path, kind)))
    assert needed == {"http_bearer"} and removed == [("parameters.credential", "credential")] and node["parameters"]["credential"] == ""
