import pytest
from django.db import connection

from apps.core import crypto
from apps.flows.credential_kinds.oauth2 import TOKENS
from apps.flows.host import FlowHost
from apps.flows.models import Credential
from apps.flows.services.credentials import credential_create
from tests.flows.engine.helpers import edge, node, run

START = node("start", "trigger.manual", "Start")


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]  # the fake services; flows may not call loopback otherwise
    organization.save()
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def owner(data, organization):
    return data.owner_of(organization)


@pytest.fixture
def admin(data, organization, owner):
    return data.client_for(organization, owner)


@pytest.fixture
def base_urls(settings):
    """Points services at fakes: base_urls(kakao=fake.url(""), ...)."""
    settings.EZFLOW_CONNECTOR_BASE_URLS = {}

    def point(**urls):
        settings.EZFLOW_CONNECTOR_BASE_URLS = {**settings.EZFLOW_CONNECTOR_BASE_URLS, **urls}

    return point


def credential(organization, user, type_, data, *, tokens=None, name="Connection") -> Credential:
    connection.set_tenant(organization)
    created = credential_create(user=user, name=name, type=type_, data=data)
    if tokens is not None:
        created.encrypted_data = crypto.encrypt({**crypto.decrypt(created.encrypted_data), TOKENS: tokens})
        created.status = Credential.Status.CONNECTED
        created.save()
    return created


def run_step(organization, type_, items=None, **parameters):
    """The step after a manual start, through the real engine with the product's host (database credentials)."""
    connection.set_tenant(organization)
    nodes = [START, node("step", type_, "Step", **parameters)]
    result, _ = run(nodes, [edge("start", "step")], items if items is not None else [{}], host=FlowHost(organization=organization))
    return result
