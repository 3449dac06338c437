import pytest
from django.db import connection


@pytest.fixture(scope="module")
def _committed_organization(django_db_setup, django_db_blocker):
    """Created once per module (a schema takes seconds); each test's own rows roll back with its transaction."""
    from tests.support.data import DataFixture

    data = DataFixture()
    with django_db_blocker.unblock():
        organization = data.create_organization(slug=data.unique("apis"))
        connection.set_schema_to_public()
    return organization.pk


@pytest.fixture
def organization(db, _committed_organization):
    from apps.accounts.models import Organization

    organization = Organization.objects.get(pk=_committed_organization)
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def owner(data, organization):
    return data.owner_of(organization)
