import sys
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import override_settings

from tests.support.data import DataFixture

# Slow on purpose in production (PBKDF2); the in-process tests sign people up and in by the hundred.
TEST_SETTINGS = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    from django.test.utils import setup_databases, teardown_databases

    from apps.accounts.models import Organization
    from apps.accounts.services.platform import public_site_ensure
    from apps.core.migration_state import record_tenant_migrations
    from tests.support import tenant_schema

    # pytest-django creates the test database only when a collected test asks for `db`; end-to-end tests reach it
    # through this fixture instead, so a session of only browser or stack tests creates it here.
    own_setup = None
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
            own_setup = setup_databases(verbosity=request.config.option.verbose, interactive=False, aliases={"default"})
    with django_db_blocker.unblock():
        public_site_ensure()
        record_tenant_migrations()
        tenant_schema.record_tenant_migrations_sql()
    with override_settings(**TEST_SETTINGS), mock.patch.object(Organization, "create_schema", tenant_schema.create_schema):
        yield
    if own_setup is not None:
        with django_db_blocker.unblock():
            teardown_databases(own_setup, verbosity=request.config.option.verbose)


def pytest_sessionfinish(session):
    stack = sys.modules.get("tests.support.stack")
    if stack is not None:
        stack.drop_set_up_template()


@pytest.fixture
def data(db):
    return DataFixture()


@pytest.fixture(autouse=True)
def _a_web_process_at_first():
    """Celery's task_prerun (sent by eager tasks, and by tests that play a worker) marks the process as a worker,
    which keeps browsers and ONNX children warm between sessions; every test starts as a web process, whatever the
    tests before it in this pytest process did."""
    from apps.ai.modules import runner as modules
    from apps.browser import runner as browsers

    modules.IN_WORKER = browsers.IN_WORKER = False


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    if connection.connection is not None:
        connection.set_schema_to_public()


@pytest.fixture(scope="session")
def _files_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("files")


@pytest.fixture(autouse=True)
def _english_by_default(settings, _files_dir):
    # Stored files of in-process tests go to a folder of the test session, never to the worktree's .data/files.
    settings.EZFLOW_FILES_DIR = str(_files_dir)
    settings.LANGUAGE_CODE = "en"
    # In-process tests use an in-process channel layer; real cross-process layers are tested with real processes.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Counts of unstored runs are written when a test calls tally_flush(), not by a thread outside its transaction.
    settings.EZFLOW_TALLY_FLUSH_SECONDS = 0
    # Local fake servers listen on 127.0.0.1: the platform lets organizations allow loopback in tests only (a
    # setting no organization can change); tests of the production policy turn it off.
    settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = True


@pytest.fixture
def mailbox(settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def eager_tasks(settings):
    """Runs Celery tasks in-process for unit tests; end-to-end tests use real workers."""
    from ezflow_site.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
