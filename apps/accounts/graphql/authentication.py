from django.utils.translation import gettext as _

from apps.accounts.errors import LoginFailed
from apps.accounts.middleware import current_organization
from apps.accounts.services.tokens import api_token_authenticate


def api_token_graphql_authenticate(request, credentials: str) -> None:
    """`Authorization: Bearer ezf_…`: a token works only on the host of the organization that issued it."""
    organization = current_organization(request)
    if organization is None:
        raise LoginFailed(_("API tokens are used on an organization's host."), code="invalid_token", status=401)
    user, _token, membership = api_token_authenticate(raw=credentials, organization=organization)
    request.user, request.membership = user, membership
