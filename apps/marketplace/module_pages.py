"""Marketplace pages for shared AI modules (organization hosts): the list, one module with its inputs, outputs,
licence and example and an install form, and the form that shares one of the organization's modules."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from apps.ai.modules import selectors as module_selectors
from apps.core.errors import DomainError
from apps.marketplace import services
from apps.marketplace.models import SharedModule
from apps.marketplace.pages import organization_host


def _visible():
    return SharedModule.objects.filter(is_hidden=False).defer("model").select_related("author_organization")


@organization_host
def module_list(request):
    return render(request, "marketplace/modules.html", {"shared": list(_visible()[:200])})


@organization_host
def module_detail(request, pk):
    shared = get_object_or_404(_visible(), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            version = services.module_install(membership=request.membership, shared=shared, name=request.POST.get("name", ""))
        except DomainError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request, _("“%(name)s” is installed: use it with the step “Run an AI module”.") % {"name": version.module.name}
            )
            return redirect(f"/ai/modules/{version.module_id}/")
    context = {
        "shared": shared,
        "error": error,
        "example_json": json.dumps(shared.example, ensure_ascii=False, indent=2) if shared.example else "",
    }
    return render(request, "marketplace/module_detail.html", context, status=400 if error else 200)


@organization_host
def module_share(request, module_id):
    module = module_selectors.module_find(str(module_id))
    if module is None or str(module.pk) != str(module_id):
        return render(request, "errors/404.html", status=404)
    form = request.POST if request.method == "POST" else {"title": module.name, "summary": module.summary, "license": module.license}
    error = ""
    if request.method == "POST":
        try:
            shared = services.module_share(
                membership=request.membership,
                module_id=module.pk,
                title=form.get("title", ""),
                summary=form.get("summary", ""),
                license=form.get("license", ""),
            )
        except DomainError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("“%(title)s” is shared in the marketplace.") % {"title": shared.title})
            return redirect("marketplace:module-detail", pk=shared.pk)
    return render(request, "marketplace/module_share.html", {"module": module, "form": form, "error": error}, status=400 if error else 200)
