"""The Credentials page on an organization's host: each credential with its state, "Test connection", and for
OAuth2 kinds "Connect"/"Reconnect" with the provider's callback (/oauth2/callback/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.roles import Role, role_at_least
from apps.core.errors import DomainError
from apps.flows import credential_kinds, selectors
from apps.flows.services.credentials import credential_status_message, credential_test
from apps.flows.services.oauth2 import oauth2_authorize, oauth2_complete, oauth2_redirect_uri


def _is_admin(request) -> bool:
    return request.membership is not None and role_at_least(request.membership.role, Role.ADMIN)


def _rows() -> list[dict]:
    rows = []
    for credential in selectors.credential_list():
        kind = credential_kinds.get(credential.type)
        rows.append(
            {
                "credential": credential,
                "kind_label": credential_kinds.label_text(kind.label) if kind else credential.type,
                "can_test": bool(kind and kind.can_test),
                "asks_for_url": bool(kind and kind.http_auth),
                "url_required": bool(kind and kind.test_needs_url),
                "oauth2": bool(kind and kind.oauth2),
                "status_message": credential_status_message(credential),
            }
        )
    return rows


def _page(request, *, status: int = 200, error: str = ""):
    context = {
        "rows": _rows(),
        "is_admin": _is_admin(request),
        "redirect_uri": oauth2_redirect_uri(request.tenant),
        "error": error,
    }
    return render(request, "flows/credentials.html", context, status=status)


@login_required
def credential_list_page(request):
    return _page(request)


@login_required
@require_POST
def credential_test_page(request, pk):
    if not _is_admin(request):
        messages.error(request, _("Only admins can test and connect credentials."))
        return redirect("credential_pages:list")
    credential = get_object_or_404(selectors.credential_list(), pk=pk)
    try:
        result = credential_test(credential=credential, url=request.POST.get("url", ""))
    except DomainError as refused:
        messages.error(request, str(refused.message))
    else:
        (messages.success if result["ok"] else messages.error)(request, f"{credential.name}: {result['message']}")
    return redirect("credential_pages:list")


@login_required
@require_POST
def credential_connect_page(request, pk):
    if not _is_admin(request):
        messages.error(request, _("Only admins can test and connect credentials."))
        return redirect("credential_pages:list")
    credential = get_object_or_404(selectors.credential_list(), pk=pk)
    try:
        url = oauth2_authorize(credential=credential, user=request.user, organization=request.tenant)
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("credential_pages:list")
    return HttpResponseRedirect(url)


@never_cache
@login_required
def oauth2_callback(request):
    if not _is_admin(request):
        return _page(request, status=403, error=_("Only admins can test and connect credentials."))
    try:
        credential = oauth2_complete(
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            user=request.user,
            organization=request.tenant,
        )
    except DomainError as refused:
        return _page(request, status=refused.status, error=str(refused.message))
    messages.success(request, _("“%(name)s” is connected.") % {"name": credential.name})
    return redirect("credential_pages:list")
