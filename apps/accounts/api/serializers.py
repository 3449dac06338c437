from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import ApiToken, Invitation, Membership
from apps.accounts.roles import Role
from apps.core.api.schema import described


class SignupInput(serializers.Serializer):
    organization = serializers.CharField(max_length=100, allow_blank=True, help_text=_("Organization name"))
    slug = serializers.CharField(max_length=64, allow_blank=True, help_text=_("Web address of the organization: <slug>.<base domain>"))
    email = serializers.CharField(max_length=254, allow_blank=True)
    password = serializers.CharField(max_length=256, allow_blank=True, write_only=True)


class OrganizationOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField()
    time_zone = serializers.CharField()


class OrganizationDetailOutput(OrganizationOutput):
    allowed_internal_hosts = serializers.ListField(child=serializers.CharField())
    run_retention_days = serializers.IntegerField()
    run_retention_count = serializers.IntegerField()


class SignupOutput(serializers.Serializer):
    organization = OrganizationOutput()
    url = serializers.CharField()
    login_url = serializers.CharField(help_text=_("One-time link that signs the owner in on the organization's host."))


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class MeOutput(serializers.Serializer):
    person = PersonOutput()
    organization = OrganizationOutput()
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipOutput(serializers.ModelSerializer):
    person = PersonOutput(source="user")

    class Meta:
        model = Membership
        fields = ["id", "person", "role", "is_active", "created_at"]


class MembershipUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class InvitationInput(serializers.Serializer):
    email = described({"type": "string", "format": "email", "maxLength": 254}, serializers.CharField, max_length=254, allow_blank=True)
    role = described(
        {"type": "string", "enum": Role.values, "default": Role.EDITOR}, serializers.CharField, max_length=16, default=Role.EDITOR
    )


class InvitationOutput(serializers.ModelSerializer):
    invited_by = serializers.CharField(source="invited_by.email", default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]


class TokenLoginInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=256, write_only=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TokenCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TokenOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]


class TokenCreatedOutput(TokenOutput):
    token = serializers.CharField(help_text=_("Shown only once. Store it safely."))

    class Meta(TokenOutput.Meta):
        fields = TokenOutput.Meta.fields + ["token"]


class OrganizationUpdateInput(serializers.Serializer):
    name = described(
        {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
        serializers.CharField,
        max_length=200,
        required=False,
        allow_blank=True,
    )
    time_zone = serializers.CharField(max_length=64, required=False, help_text="A time zone name like Asia/Seoul.")
    # Ranges as the service checks them (with its translated messages).
    allowed_internal_hosts = described(
        {"type": "array", "items": {"type": "string", "maxLength": 255}, "maxItems": 50},
        serializers.ListField,
        child=serializers.CharField(max_length=255, allow_blank=True),
        required=False,
    )
    run_retention_days = described({"type": "integer", "minimum": 1, "maximum": 3650}, serializers.IntegerField, required=False)
    run_retention_count = described({"type": "integer", "minimum": 10, "maximum": 1_000_000}, serializers.IntegerField, required=False)
