import hashlib

import pytest

from apps.accounts.errors import LoginFailed
from apps.accounts.models import ApiToken
from apps.accounts.services.tokens import api_token_authenticate, api_token_create, api_token_revoke


@pytest.fixture
def organization(data):
    return data.create_organization(slug="token-co")


def test_token_is_stored_hashed_and_authenticates_on_its_organization(data, organization):
    owner = data.owner_of(organization)
    token, plaintext = api_token_create(user=owner, organization=organization, name="script")
    stored = ApiToken.objects.get(pk=token.pk)
    secret = plaintext.split("_", 2)[2]
    assert secret not in stored.secret_hash and plaintext not in str(stored.__dict__)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    user, _token, membership = api_token_authenticate(raw=plaintext, organization=organization)
    assert user == owner and membership.role == "owner"


def test_token_is_refused_on_another_organization_even_for_a_member_of_both(data, organization):
    owner = data.owner_of(organization)
    other = data.create_organization(slug="token-other")
    data.create_member(other, user=owner)
    _token, plaintext = api_token_create(user=owner, organization=organization, name="script")
    with pytest.raises(LoginFailed):
        api_token_authenticate(raw=plaintext, organization=other)


@pytest.mark.parametrize("raw", ["", "garbage", "ezf_nope_nope", "ezf__", "Bearer x"])
def test_malformed_tokens_are_refused(organization, raw):
    with pytest.raises(LoginFailed):
        api_token_authenticate(raw=raw, organization=organization)


def test_revoked_token_and_deactivated_member_are_refused(data, organization):
    member = data.create_member(organization)
    token, plaintext = api_token_create(user=member.user, organization=organization, name="x")
    api_token_revoke(token=token, user=member.user)
    with pytest.raises(LoginFailed):
        api_token_authenticate(raw=plaintext, organization=organization)
    _token, second = api_token_create(user=member.user, organization=organization, name="y")
    member.is_active = False
    member.save()
    with pytest.raises(LoginFailed):
        api_token_authenticate(raw=second, organization=organization)


def test_wrong_secret_with_a_valid_prefix_is_refused(data, organization):
    _token, plaintext = api_token_create(user=data.owner_of(organization), organization=organization, name="x")
    with pytest.raises(LoginFailed):
        api_token_authenticate(raw=plaintext[:-3] + "abc", organization=organization)
