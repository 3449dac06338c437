import base64

import pytest
from django.db import connection

from tests.ai.modules import onnx_models


@pytest.fixture(scope="module")
def _committed_organization(django_db_setup, django_db_blocker):
    """Created once per module (a schema takes seconds); each test's own rows roll back with its transaction."""
    from tests.support.data import DataFixture

    data = DataFixture()
    with django_db_blocker.unblock():
        organization = data.create_organization(slug=data.unique("models"))
        organization.allowed_internal_hosts = ["127.0.0.1"]  # the fake model servers
        organization.save()
        connection.set_schema_to_public()
    return organization.pk


@pytest.fixture
def organization(db, _committed_organization):
    from apps.accounts.models import Organization

    organization = Organization.objects.get(pk=_committed_organization)
    connection.set_tenant(organization)
    return organization


@pytest.fixture(scope="session")
def churn_v1() -> bytes:
    return onnx_models.logistic(*onnx_models.CHURN_V1)


@pytest.fixture(scope="session")
def churn_v2() -> bytes:
    return onnx_models.logistic(*onnx_models.CHURN_V2)


CHURN_DESCRIPTION = {"features": ["months", {"field": "tickets", "default": 0}], "labels": ["stays", "leaves"]}


def as_base64(data: bytes) -> str:
    return base64.b64encode(data).decode()
