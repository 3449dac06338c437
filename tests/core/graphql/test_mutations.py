import graphene
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from apps.accounts.roles import Role
from apps.core.graphql.mutations import BaseMutation
from tests.marketplace.support import gql

RENAME = "mutation($name: String!) { renameProbe(newName: $name) { name errors { field code message } } }"


@pytest.fixture
def org(data):
    return data.create_organization(slug="probe-co")


def rename(client, name="Kim", **headers):
    status, body = gql(client, RENAME, {"name": name}, **headers)
    assert status == 200, body
    return body["data"]["renameProbe"]


def test_a_caller_who_is_not_signed_in_gets_a_typed_error(org, probe_app):
    result = rename(Client(HTTP_HOST=org.host))
    assert result == {
        "name": None,
        "errors": [{"field": None, "code": "not_signed_in", "message": "Sign in to your organization to do this."}],
    }
    korean = rename(Client(HTTP_HOST=org.host), HTTP_ACCEPT_LANGUAGE="ko")["errors"][0]
    assert korean["code"] == "not_signed_in" and korean["message"] != "Sign in to your organization to do this."


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_a_member_below_the_declared_role_gets_a_typed_error(data, org, probe_app, role):
    member = data.create_member(org, role=role)
    result = rename(data.client_for(org, member.user))
    assert result["name"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(None, "permission_denied")]


def test_a_member_with_the_role_runs_it_by_session_or_api_token(data, org, probe_app):
    admin = data.create_member(org, role=Role.ADMIN)
    assert rename(data.client_for(org, admin.user)) == {"name": "Kim (admin)", "errors": []}
    token_client = data.api_client(org, data.create_token(org, admin.user))
    assert rename(token_client, "Lee") == {"name": "Lee (admin)", "errors": []}
    refused = rename(token_client, "  ")
    assert refused["name"] is None and [(e["field"], e["code"]) for e in refused["errors"]] == [("newName", "invalid")]


def test_a_bad_api_token_is_refused_before_anything_runs(data, org, probe_app):
    status, body = gql(data.api_client(org, "ezf_nope_nope"), RENAME, {"name": "Kim"})
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "invalid_token"
    status, body = gql(Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer ezf_a_b"), '{ probeGreeting(name: "x") }')
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "invalid_token"


def test_mutations_are_refused_on_the_public_host(db, probe_app):
    status, body = gql(Client(HTTP_HOST="localhost"), RENAME, {"name": "Kim"})
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "mutations_not_allowed"


def test_a_mutation_without_a_declared_permission_cannot_be_defined():
    with pytest.raises(ImproperlyConfigured, match="Unguarded must declare `permission"):

        class Unguarded(BaseMutation):
            done = graphene.Boolean()

            @classmethod
            def perform(cls, info, caller):
                return cls(done=True, errors=[])
