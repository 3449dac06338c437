from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors
from apps.accounts.api import serializers as s
from apps.accounts.middleware import current_organization
from apps.accounts.models import Invitation, Membership
from apps.accounts.permissions import MembersReadAdminsWrite, request_membership, role_required
from apps.accounts.roles import Role
from apps.accounts.services.authentication import member_login_check
from apps.accounts.services.invitations import invitation_create, invitation_revoke
from apps.accounts.services.memberships import membership_update
from apps.accounts.services.organizations import organization_update
from apps.accounts.services.signup import organization_signup
from apps.accounts.services.tokens import api_token_create, api_token_revoke


def _organization_data(organization, *, detail: bool = False):
    data = {"name": organization.name, "slug": organization.slug, "url": organization.url, "time_zone": organization.time_zone}
    if detail:
        data["allowed_internal_hosts"] = organization.allowed_internal_hosts
        data["run_retention_days"] = organization.run_retention_days
        data["run_retention_count"] = organization.run_retention_count
    return data


class SignupApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.SignupInput, responses={201: s.SignupOutput})
    def post(self, request):
        data = s.SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = organization_signup(
            organization_name=data.validated_data["organization"],
            slug=data.validated_data["slug"],
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
        body = {
            "organization": _organization_data(result.organization),
            "url": result.organization.url,
            "login_url": result.login_url,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class TokenLoginApi(APIView):
    """Exchange email and password for a personal API token of this organization."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.TokenLoginInput, responses={201: s.TokenCreatedOutput})
    def post(self, request):
        data = s.TokenLoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = current_organization(request)
        user, _membership = member_login_check(
            request=request._request,
            organization=organization,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        token, plaintext = api_token_create(user=user, organization=organization, name=data.validated_data.get("name", ""))
        return Response({**s.TokenOutput(token).data, "token": plaintext}, status=status.HTTP_201_CREATED)


class TokenListApi(APIView):
    @extend_schema(responses=s.TokenOutput(many=True))
    def get(self, request):
        tokens = selectors.api_token_list(user=request.user, organization=current_organization(request))
        return Response(s.TokenOutput(tokens, many=True).data)

    @extend_schema(request=s.TokenCreateInput, responses={201: s.TokenCreatedOutput})
    def post(self, request):
        data = s.TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, plaintext = api_token_create(
            user=request.user, organization=current_organization(request), name=data.validated_data.get("name", "")
        )
        return Response({**s.TokenOutput(token).data, "token": plaintext}, status=status.HTTP_201_CREATED)


class TokenDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        token = get_object_or_404(selectors.api_token_list(user=request.user, organization=current_organization(request)), pk=pk)
        api_token_revoke(token=token, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=s.MeOutput)
    def get(self, request):
        membership = request_membership(request)
        user = request.user
        return Response(
            {
                "person": {"id": user.pk, "email": user.email, "name": user.name},
                "organization": _organization_data(current_organization(request)),
                "role": membership.role,
            }
        )


class MemberListApi(APIView):
    @extend_schema(responses=s.MembershipOutput(many=True))
    def get(self, request):
        return Response(s.MembershipOutput(selectors.member_list(organization=current_organization(request)), many=True).data)


class MemberDetailApi(APIView):
    permission_classes = [MembersReadAdminsWrite]

    def _get(self, request, pk) -> Membership:
        return get_object_or_404(selectors.member_list(organization=current_organization(request)), pk=pk)

    @extend_schema(responses=s.MembershipOutput)
    def get(self, request, pk):
        return Response(s.MembershipOutput(self._get(request, pk)).data)

    @extend_schema(request=s.MembershipUpdateInput, responses=s.MembershipOutput)
    def patch(self, request, pk):
        membership = self._get(request, pk)
        data = s.MembershipUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        updated = membership_update(
            actor=request_membership(request),
            membership=membership,
            role=data.validated_data.get("role"),
            is_active=data.validated_data.get("is_active"),
        )
        return Response(s.MembershipOutput(updated).data)


class InvitationListApi(APIView):
    permission_classes = [role_required(Role.ADMIN)]

    @extend_schema(responses=s.InvitationOutput(many=True))
    def get(self, request):
        return Response(s.InvitationOutput(selectors.pending_invitation_list(organization=current_organization(request)), many=True).data)

    @extend_schema(request=s.InvitationInput, responses={201: s.InvitationOutput})
    def post(self, request):
        data = s.InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_create(
            actor=request_membership(request), email=data.validated_data["email"], role=data.validated_data["role"]
        )
        return Response(s.InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailApi(APIView):
    permission_classes = [role_required(Role.ADMIN)]

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        invitation = get_object_or_404(Invitation, pk=pk, organization=current_organization(request))
        invitation_revoke(actor=request_membership(request), invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganizationApi(APIView):
    permission_classes = [MembersReadAdminsWrite]

    @extend_schema(responses=s.OrganizationDetailOutput)
    def get(self, request):
        return Response(_organization_data(current_organization(request), detail=True))

    @extend_schema(request=s.OrganizationUpdateInput, responses=s.OrganizationDetailOutput)
    def patch(self, request):
        data = s.OrganizationUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = organization_update(actor=request_membership(request), **data.validated_data)
        return Response(_organization_data(organization, detail=True))
