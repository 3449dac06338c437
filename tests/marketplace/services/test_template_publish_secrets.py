"""Secrets typed in by hand (not only credentials) never reach a published template."""

import json

from apps.marketplace.services import template_publish, template_publish_preview
from tests.flows.graphs import edge, node
from tests.marketplace.support import make_flow, membership

PLANTED = {
    "query_url": "QUERYKEY-5c1d9e",
    "service_key": "SERVICEKEY-77ab10",
    "user_token": "ghp_PLANTEDuserinfoTOKEN0123456789",
    "api_key_header": "XAPIKEY-90f1aa",
    "body_password": "BODYPASS-31c5",
    "set_field": "SETFIELD-SECRET-e4e4",
    "code_literal": "CODE-LITERAL-8d8d8d",
    "code_known": "sk-ant-PLANTEDknownFormat0123456789",
    "crypto_secret": "HMAC-SECRET-6a6a6a",
    "notes": "xoxb-PLANTED-slack-token-123456",
    "extra_key": "EXTRA-NODE-KEY-1f1f",
    "telegram": "123456789:AAHplantedTelegramBotTokenValue0123",
    "bearer_text": "PLANTEDbearerInText0123456789",
}


def hand_typed_secrets_graph() -> dict:
    hook = node("hook", "trigger.webhook", "Webhook")
    hook["credentials"] = {"slack": PLANTED["extra_key"]}  # keys outside the graph format are never shared
    return {
        "nodes": [
            hook,
            node(
                "call",
                "net.http",
                "Call API",
                url=f"https://{PLANTED['user_token']}@api.example.com/v1/news?api_key={PLANTED['query_url']}&q=자동화",
                query={"serviceKey": PLANTED["service_key"], "numOfRows": "10", "key2": "{{ vars.extra }}"},
                headers={"X-API-Key": PLANTED["api_key_header"], "Authorization": "Bearer {{ vars.api_token }}"},
                method="POST",
                body={"user": "kim", "password": PLANTED["body_password"]},
                settings={"notes": f"token for tests: {PLANTED['notes']}"},
            ),
            node(
                "set",
                "data.set",
                "Set",
                fields=[
                    {"name": "api_key", "value": PLANTED["set_field"]},
                    {"name": "city", "value": "서울"},
                    {"name": "bot", "value": f"https://api.telegram.org/bot{PLANTED['telegram']}/sendMessage"},
                    {"name": "note", "value": f"curl -H 'Authorization: Bearer {PLANTED['bearer_text']}'"},
                ],
            ),
            node(
                "code",
                "code.python",
                "Code",
                code=f'API_KEY = "{PLANTED["code_literal"]}"\nOTHER = "{PLANTED["code_known"]}"\nreturn [{{"city": "서울"}}]\n',
            ),
            node("sign", "transform.crypto", "Sign", operation="hmac_sha256", value="{{ json.city }}", secret=PLANTED["crypto_secret"]),
        ],
        "edges": [edge("hook", "call"), edge("call", "set"), edge("set", "code"), edge("code", "sign")],
    }


def test_hand_typed_secrets_are_removed_and_listed_while_references_stay(data):
    org = data.create_organization(slug="secret-co")
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=hand_typed_secrets_graph())
    preview = template_publish_preview(flow=flow)
    shared = json.dumps(preview.graph, ensure_ascii=False)
    for label, planted in PLANTED.items():
        assert planted not in shared, label
    removed = {(r["node_id"], r["path"]) for r in preview.removed}
    assert {
        ("call", "parameters.url"),
        ("call", "parameters.query.serviceKey"),
        ("call", "parameters.headers.X-API-Key"),
        ("call", "parameters.body.password"),
        ("call", "settings.notes"),
        ("set", "parameters.fields.0.value"),
        ("code", "parameters.code"),
        ("sign", "parameters.secret"),
    } <= removed
    call = next(n for n in preview.graph["nodes"] if n["id"] == "call")
    # What the installer fills in themselves stays, so the template keeps working for them.
    assert call["parameters"]["headers"]["Authorization"] == "Bearer {{ vars.api_token }}"
    assert call["parameters"]["query"] == {"serviceKey": "", "numOfRows": "10", "key2": "{{ vars.extra }}"}
    assert call["parameters"]["url"].startswith("https://api.example.com/v1/news?") and "자동화" in call["parameters"]["url"]
    assert call["parameters"]["body"] == {"user": "kim", "password": ""}
    code = next(n for n in preview.graph["nodes"] if n["id"] == "code")["parameters"]["code"]
    assert 'API_KEY = ""' in code and 'return [{"city": "서울"}]' in code
    assert "credentials" not in next(n for n in preview.graph["nodes"] if n["id"] == "hook")

    template = template_publish(membership=owner, flow=flow, title="뉴스 모으기", summary="Collects news")
    stored = json.dumps(template.latest_version.graph, ensure_ascii=False)
    for planted in PLANTED.values():
        assert planted not in stored
