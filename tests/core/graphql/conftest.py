import pytest

from apps.core.graphql.registry import graphql_registry


@pytest.fixture
def probe_app():
    """The probe contribution in the real registry next to the installed apps' (the schema is rebuilt around it)."""
    graphql_registry.contribute("probe", "tests.core.graphql.contribution")
    yield
    graphql_registry.withdraw("probe")
