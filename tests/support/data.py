"""One composable object that creates test data the way the product does (through services)."""

from __future__ import annotations

import itertools

from django.db import connection
from django.test import Client

from apps.accounts.middleware import SESSION_ORGANIZATION_KEY
from apps.accounts.models import Membership, Organization, User
from apps.accounts.roles import Role
from apps.accounts.services.signup import organization_signup
from apps.accounts.services.tokens import api_token_create

PASSWORD = "a-long-test-passphrase-42"
_counter = itertools.count(1)


class DataFixture:
    def unique(self, stem: str) -> str:
        return f"{stem}{next(_counter)}"

    def create_user(self, *, email: str | None = None, password: str = PASSWORD, **fields) -> User:
        return User.objects.create_user(email=email or f"{self.unique('person')}@example.com", password=password, **fields)

    def create_organization(self, *, slug: str | None = None, name: str | None = None, owner_email: str | None = None) -> Organization:
        slug = slug or self.unique("org")
        assert connection.settings_dict["NAME"].startswith("test_"), "test data must never go to a development database"
        connection.set_schema_to_public()  # a request made earlier in the test may have switched schemas
        result = organization_signup(
            organization_name=name or slug.title(),
            slug=slug,
            email=owner_email or f"owner-{slug}@example.com",
            password=PASSWORD,
        )
        return result.organization

    def owner_of(self, organization: Organization) -> User:
        return Membership.objects.get(organization=organization, role=Role.OWNER).user

    def create_member(self, organization: Organization, *, role: str = Role.EDITOR, user: User | None = None, **user_fields) -> Membership:
        user = user or self.create_user(**user_fields)
        return Membership.objects.create(user=user, organization=organization, role=role)

    def create_token(self, organization: Organization, user: User) -> str:
        return api_token_create(user=user, organization=organization, name="test")[1]

    def client_for(self, organization: Organization | None, user: User | None = None) -> Client:
        """A browser-like client on the organization's host (or the public host), signed in when a user is given."""
        host = organization.host if organization is not None else "localhost"
        client = Client(HTTP_HOST=host)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            session = client.session
            session[SESSION_ORGANIZATION_KEY] = organization.pk if organization is not None else None
            session.save()
        return client

    def editor_api(self, organization: Organization, role: str = Role.EDITOR) -> Client:
        member = self.create_member(organization, role=role)
        return self.api_client(organization, self.create_token(organization, member.user))

    def api_client(self, organization: Organization, token: str) -> Client:
        return Client(HTTP_HOST=organization.host, HTTP_AUTHORIZATION=f"Bearer {token}")
