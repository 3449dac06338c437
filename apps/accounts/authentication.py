from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.accounts.errors import LoginFailed
from apps.accounts.middleware import current_organization
from apps.accounts.services.tokens import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`; a token works only on the host of the organization that issued it."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be: Bearer <token>")
        organization = current_organization(request)
        if organization is None:
            raise exceptions.AuthenticationFailed("API tokens are used on an organization's host.")
        try:
            user, token, membership = api_token_authenticate(raw=header[1].decode(errors="replace"), organization=organization)
        except LoginFailed as exc:
            raise exceptions.AuthenticationFailed(exc.message) from None
        request._request.membership = membership
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names the token (from POST /api/v1/auth/token or the tokens page)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token of this organization (ezf_…)."}
