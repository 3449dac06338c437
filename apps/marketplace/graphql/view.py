"""/graphql/: anonymous browsing on every host; on an organization host also mutations by its members, who sign in with
the browser session (then the CSRF token is required, as for forms) or an API token (`Authorization: Bearer ezf_…`)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView

from apps.accounts.errors import LoginFailed
from apps.accounts.middleware import current_organization
from apps.accounts.services.tokens import api_token_authenticate
from apps.marketplace.graphql.limits import validation_rules
from apps.marketplace.graphql.schema import schema


def _refuse(status: int, code: str, message: str) -> HttpResponse:
    body = {"errors": [{"message": str(message), "extensions": {"code": code}}]}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


def _csrf_failure(request) -> str | None:
    check = CsrfViewMiddleware(lambda _request: None)
    check.process_request(request)
    response = check.process_view(request, None, (), {})
    return None if response is None else "csrf_failed"


@method_decorator(csrf_exempt, name="dispatch")  # enforced below, only for session-authenticated requests
class MarketplaceGraphQLView(GraphQLView):
    schema = schema
    graphiql = False

    def dispatch(self, request, *args, **kwargs):
        organization = current_organization(request)
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("bearer "):
            if organization is None:
                return _refuse(401, "invalid_token", _("API tokens are used on an organization's host."))
            try:
                user, _token, membership = api_token_authenticate(raw=header.split(None, 1)[1].strip(), organization=organization)
            except LoginFailed as exc:
                return _refuse(401, exc.code, exc.message)
            request.user, request.membership = user, membership
        elif request.method == "POST" and request.user.is_authenticated and _csrf_failure(request):
            return _refuse(403, "csrf_failed", _("Your form expired. Please go back, reload the page and try again."))
        self.validation_rules = validation_rules(public=organization is None)
        return super().dispatch(request, *args, **kwargs)
