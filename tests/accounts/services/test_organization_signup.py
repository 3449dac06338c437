import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.accounts.models import Domain, Membership, Organization, User
from apps.accounts.roles import Role
from apps.accounts.services.signup import organization_signup
from tests.support.data import PASSWORD


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def signup(**overrides):
    values = {"organization_name": "Hanbit Trading", "slug": "hanbit", "email": "kim@hanbit.example", "password": PASSWORD}
    values.update(overrides)
    return organization_signup(**values)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_signup_creates_schema_domain_and_owner(db):
    result = signup()
    organization = result.organization
    assert organization.schema_name == "org_hanbit"
    assert schema_exists("org_hanbit")
    assert Domain.objects.get(tenant=organization).domain == "hanbit.localhost"
    membership = Membership.objects.get(organization=organization)
    assert membership.user.email == "kim@hanbit.example"
    assert membership.role == Role.OWNER
    assert result.login_url.startswith("http://hanbit.localhost:8000/auth/handoff/?token=")
    assert organization.url == "http://hanbit.localhost:8000/"


def test_hyphenated_slug_maps_to_a_valid_schema(db):
    organization = signup(slug="seoul-city-hall").organization
    assert organization.schema_name == "org_seoul_city_hall"
    assert schema_exists("org_seoul_city_hall")


@pytest.mark.parametrize(
    ("slug", "fragment"),
    [
        ("ab", "3 to 30"),
        ("a" * 31, "3 to 30"),
        ("han_bit", "lowercase"),
        ("-hanbit", "lowercase"),
        ("han--bit", "lowercase"),
        ("한빛상사", "lowercase"),
        ("admin", "reserved"),
        ("www", "reserved"),
        ("api", "reserved"),
        ("public", "reserved"),
        ("static", "reserved"),
    ],
)
def test_bad_slugs_are_refused_with_a_reason(db, slug, fragment):
    with pytest.raises(ValidationError) as exc_info:
        signup(slug=slug)
    assert fragment in " ".join(errors_of(exc_info)["slug"])
    assert not Organization.objects.filter(slug=slug).exclude(schema_name="public").exists()
    assert not User.objects.filter(email="kim@hanbit.example").exists()


def test_slug_and_email_are_normalised_to_lowercase(db):
    organization = signup(slug=" Hanbit ", email="Kim@Hanbit.Example").organization
    assert organization.slug == "hanbit"
    assert Membership.objects.get(organization=organization).user.email == "kim@hanbit.example"


def test_duplicate_slug_is_refused_and_leaves_nothing_behind(db):
    signup()
    with pytest.raises(ValidationError) as exc_info:
        signup(email="lee@other.example")
    assert "already taken" in errors_of(exc_info)["slug"][0]
    assert Organization.objects.filter(slug="hanbit").count() == 1
    assert not User.objects.filter(email="lee@other.example").exists()


def test_every_problem_is_reported_at_once(db):
    with pytest.raises(ValidationError) as exc_info:
        signup(organization_name="", slug="x", email="not-an-email", password="123")
    assert set(errors_of(exc_info)) == {"organization", "slug", "email", "password"}


@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "kim@hanbit.example"])
def test_weak_passwords_are_refused(db, password):
    with pytest.raises(ValidationError) as exc_info:
        signup(password=password)
    assert errors_of(exc_info)["password"]
    assert not schema_exists("org_hanbit")


def test_existing_person_adds_an_organization_with_their_password(db, data):
    person = data.create_user(email="kim@hanbit.example")
    second = signup(slug="hanbit-two").organization
    assert Membership.objects.get(organization=second).user == person
    with pytest.raises(ValidationError) as exc_info:
        signup(slug="hanbit-three", password="wrong-password-entirely")
    assert "already exists" in errors_of(exc_info)["password"][0]
    assert not Organization.objects.filter(slug="hanbit-three").exists()


def test_failure_after_schema_creation_rolls_everything_back(db, monkeypatch):
    from apps.accounts.services import signup as signup_module

    def explode(**kwargs):
        raise RuntimeError("membership table unavailable")

    monkeypatch.setattr(signup_module.Membership.objects, "create", explode)
    with pytest.raises(RuntimeError):
        signup()
    assert not Organization.objects.filter(slug="hanbit").exists()
    assert not schema_exists("org_hanbit")
    assert not User.objects.filter(email="kim@hanbit.example").exists()
