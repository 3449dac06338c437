"""Marketplace pages for shared API connectors (organization hosts): the list, one connector with its operations and
an install form, and the form that shares one of the organization's connectors (from its page under API connectors)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from apps.connectors.openapi import selectors as connector_selectors
from apps.core.errors import DomainError
from apps.flows.credential_kinds import icon_url
from apps.marketplace.models import SharedConnector
from apps.marketplace.pages import organization_host
from apps.marketplace.services.connectors import connector_icons, connector_install, connector_share


def _visible():
    return SharedConnector.objects.filter(is_hidden=False).defer("spec_text").select_related("author_organization")


@organization_host
def connector_list(request):
    shared = list(_visible()[:200])
    for s in shared:
        s.icon_src = icon_url(s.icon)
    return render(request, "marketplace/connectors.html", {"shared": shared})


@organization_host
def connector_detail(request, pk):
    shared = get_object_or_404(_visible(), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            version = connector_install(membership=request.membership, shared=shared, name=request.POST.get("name", ""))
        except DomainError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _("“%(name)s” is installed: use it with the step “Call an API connector” and your own credential.")
                % {"name": version.connector.name},
            )
            return redirect(f"/connectors/api/{version.connector_id}/")
    context = {"shared": shared, "icon_src": icon_url(shared.icon), "error": error}
    return render(request, "marketplace/connector_detail.html", context, status=400 if error else 200)


@organization_host
def connector_share_page(request, connector_id):
    connector = connector_selectors.connector_list().filter(pk=connector_id).first()
    version = connector_selectors.connector_latest(connector=connector) if connector else None
    if version is None:
        return render(request, "errors/404.html", status=404)
    form = request.POST if request.method == "POST" else {"title": connector.name, "summary": version.title, "icon": "openapi"}
    error = ""
    if request.method == "POST":
        try:
            shared = connector_share(
                membership=request.membership,
                connector_id=connector.pk,
                title=form.get("title", ""),
                summary=form.get("summary", ""),
                icon=form.get("icon", ""),
            )
        except DomainError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("“%(title)s” is shared in the marketplace.") % {"title": shared.title})
            return redirect("marketplace:connector-detail", pk=shared.pk)
    context = {"connector": connector, "version": version, "form": form, "error": error, "icons": connector_icons()}
    return render(request, "marketplace/connector_share.html", context, status=400 if error else 200)
