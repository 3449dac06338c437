"""Organizations, members and flows with planted secrets for marketplace tests."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from tests.flows.graphs import edge, node

PLANTED_SECRET = "PLANTED-SECRET-b7f3c9e1"
PLANTED_TOKEN = "Bearer PLANTED-TOKEN-44aa"
PLANTED_PIN = "PLANTED-PIN-DATA-9q"


def membership(data, organization, role=Role.OWNER) -> Membership:
    if role == Role.OWNER:
        member = Membership.objects.get(organization=organization, role=Role.OWNER)
    else:
        member = data.create_member(organization, role=role)
    member.organization = organization
    return member


def secret_graph(credential_id) -> dict:
    return {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", auth="header", secret=PLANTED_SECRET),
            node("greet", "data.set", "Greet", fields=[{"name": "greeting", "value": "안녕하세요 {{ json.body.name }}"}]),
            node(
                "call",
                "net.http",
                "Call CRM",
                url=f"https://kim:{PLANTED_SECRET}@crm.example/api",
                headers={"Authorization": PLANTED_TOKEN, "Accept": "application/json"},
                authentication="http_bearer",
                credential=str(credential_id),
            ),
            node("slack", "net.slack", "Tell the team", credential=str(credential_id), text="{{ json.greeting }}"),
        ],
        "edges": [edge("hook", "greet"), edge("greet", "call"), edge("call", "slack")],
        "pinned": {"hook": [{"body": {"name": PLANTED_PIN}}]},
    }


def runnable_graph(label="v1") -> dict:
    return {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("greet", "data.set", "Greet", fields=[{"name": "greeting", "value": f"{label} {{{{ json.name }}}}"}]),
        ],
        "edges": [edge("start", "greet")],
    }


def make_flow(organization, *, user, name="Order alert", graph=None, credential_data=None):
    """A flow in the organization (and a credential holding the planted secret when `graph` is None)."""
    from apps.flows.services.credentials import credential_create
    from apps.flows.services.flows import flow_create

    with tenant_context(organization):
        credential = credential_create(
            user=user, name="Team Slack", type="slack_webhook", data=credential_data or {"url": f"https://hooks.example/{PLANTED_SECRET}"}
        )
        flow = flow_create(user=user, name=name, graph=graph if graph is not None else secret_graph(credential.pk))
    connection.set_schema_to_public()
    return flow, credential


def gql(client, query: str, variables: dict | None = None, **headers):
    """POSTs a GraphQL document; returns (status, body)."""
    response = client.post("/graphql/", {"query": query, "variables": variables or {}}, content_type="application/json", **headers)
    return response.status_code, response.json()


def seed_templates(organization, author, count: int, *, title="Template {i}", **fields) -> list:
    """Templates with one version each, created directly (fast) and indexed for search like published ones."""
    from apps.marketplace.models import Template, TemplateVersion
    from apps.marketplace.services import template_search_refresh

    made = []
    for i in range(count):
        template = Template.objects.create(
            title=title.format(i=i), summary=f"Summary {i}", author_organization=organization, author=author, **fields
        )
        version = TemplateVersion.objects.create(
            template=template, version="1.0.0", major=1, minor=0, patch=0, graph=runnable_graph(), node_types=["data.set", "trigger.manual"]
        )
        Template.objects.filter(pk=template.pk).update(latest_version=version, node_types=version.node_types)
        template.latest_version, template.node_types = version, version.node_types
        template_search_refresh(template=template)
        made.append(template)
    return made
