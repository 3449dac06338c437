from django.contrib.auth import logout
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import membership_get, organization_zone
from apps.core.paths import is_api_path

SESSION_ORGANIZATION_KEY = "ezflow_organization"


def current_organization(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return None
    return tenant


class OrganizationStatusMiddleware:
    """A suspended organization keeps its data but its site and API answer 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = current_organization(request)
        if organization is not None and organization.is_suspended:
            message = _("This organization has been suspended. Its data is kept safe; please contact EZFlow support.")
            if is_api_path(request.path):
                return JsonResponse({"error": {"code": "organization_suspended", "message": message}}, status=403)
            return render(request, "accounts/suspended.html", {"message": message, "suspended_organization": organization}, status=403)
        return self.get_response(request)


class MembershipMiddleware:
    """Binds each session to the host it was created on, and resolves the person's membership there.

    A session from another organization (or the public site) is never honoured: every page answers
    404, so nothing about this organization is revealed. A member who was deactivated is signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = current_organization(request)
        request.membership = None
        user = request.user
        if user.is_authenticated:
            bound_to = request.session.get(SESSION_ORGANIZATION_KEY)
            expected = organization.pk if organization is not None else None
            if bound_to != expected:
                raise Http404("session belongs to another site")
            if organization is not None:
                membership = membership_get(user=user, organization=organization)
                if membership is None:
                    logout(request)
                else:
                    membership.organization = organization
                    request.membership = membership
        return self.get_response(request)


class OrganizationTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(organization_zone(current_organization(request)))
        return self.get_response(request)
