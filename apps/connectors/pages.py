"""The Connections page (연결) on an organization's host: every credential of the organization with its service, who
made it, the flows that use it, its last successful use and state; "Test connection", and for OAuth2 kinds
"Connect"/"Reconnect" with the provider's callback (/oauth2/callback/). The former /credentials/ addresses redirect
here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.roles import Role, role_at_least
from apps.connectors.selectors import flows_using_credentials
from apps.core.errors import DomainError
from apps.flows import credential_kinds, selectors
from apps.flows.editor import bundle_version
from apps.flows.services.credentials import credential_status_message, credential_test
from apps.flows.services.oauth2 import oauth2_authorize, oauth2_complete, oauth2_redirect_uri, oauth2_return_path


def _is_admin(request) -> bool:
    return request.membership is not None and role_at_least(request.membership.role, Role.ADMIN)


def _rows() -> list[dict]:
    rows, using = [], flows_using_credentials()
    for credential in selectors.credential_list().select_related("created_by"):
        kind = credential_kinds.get(credential.type)
        label = credential_kinds.label_text(kind.label) if kind else credential.type
        rows.append(
            {
                "credential": credential,
                "kind_label": label,
                "initial": label[:1].upper(),
                "icon": credential_kinds.icon_url(kind.icon) if kind else "",
                "help": credential_kinds.label_text(kind.help) if kind and kind.help else "",
                "flows": using.get(str(credential.pk), []),
                "can_test": bool(kind and kind.can_test),
                "asks_for_url": bool(kind and kind.http_auth),
                "url_required": bool(kind and kind.test_needs_url),
                "oauth2": bool(kind and kind.oauth2),
                "status_message": credential_status_message(credential),
            }
        )
    return rows


def _page(request, *, status: int = 200, error: str = ""):
    rows = _rows()
    is_admin = _is_admin(request)
    context = {
        "rows": rows,
        "is_admin": is_admin,
        "redirect_uri": oauth2_redirect_uri(request.tenant),
        "error": error,
        "needs_reconnect": [row["credential"] for row in rows if row["credential"].status == "needs_reconnect"],
        # The same "new connection" dialog as a step's form in the editor (frontend/src/components/ConnectionDialog.tsx).
        "dialog_boot": {
            "csrf_token": get_token(request),
            "language": (translation.get_language() or "en").split("-")[0],
            "api_base": "/api/v1",
            "redirect_uri": oauth2_redirect_uri(request.tenant),
            "return_to": "/connections/",
        },
        "bundle_version": bundle_version(),
    }
    return render(request, "connectors/connections.html", context, status=status)


@login_required
def connection_list_page(request):
    return _page(request)


@login_required
@require_POST
def connection_test_page(request, pk):
    if not _is_admin(request):
        messages.error(request, _("Only admins can test and connect credentials."))
        return redirect("connections:list")
    credential = get_object_or_404(selectors.credential_list(), pk=pk)
    try:
        result = credential_test(credential=credential, url=request.POST.get("url", ""))
    except DomainError as refused:
        messages.error(request, str(refused.message))
    else:
        (messages.success if result["ok"] else messages.error)(request, f"{credential.name}: {result['message']}")
    return redirect("connections:list")


@login_required
@require_POST
def connection_connect_page(request, pk):
    if not _is_admin(request):
        messages.error(request, _("Only admins can test and connect credentials."))
        return redirect("connections:list")
    credential = get_object_or_404(selectors.credential_list(), pk=pk)
    try:
        url = oauth2_authorize(
            credential=credential, user=request.user, organization=request.tenant, return_to=request.POST.get("return_to", "")
        )
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("connections:list")
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
    # Back where the sign-in started (the editor with the step): a path on this host only, from the signed state.
    back = oauth2_return_path(request.GET.get("state", ""))
    return HttpResponseRedirect(back) if back else redirect("connections:list")
