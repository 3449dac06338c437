"""Invitation mail through a real SMTP conversation (aiosmtpd on loopback), as with EMAIL_URL=smtp://…"""

import re

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.accounts.services.invitations import invitation_create
from tests.support.stack import free_port


class Collect(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()


def test_invitation_is_delivered_over_smtp_in_the_inviters_language(data, smtp_server, eager_tasks, django_capture_on_commit_callbacks):
    from django.utils import translation

    organization = data.create_organization(slug="smtp-co")
    owner = Membership.objects.get(organization=organization, role=Role.OWNER)
    with translation.override("ko"), django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=owner, email="smtp-guest@example.com", role=Role.EDITOR)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "smtp-guest@example.com"
    body = message.get_payload()[0].get_payload(decode=True).decode()
    assert re.search(r"http://smtp-co\.localhost:8000/invite/[^/\s]+/", body)
    with translation.override("ko"):
        assert translation.gettext("Accept the invitation:") in body
