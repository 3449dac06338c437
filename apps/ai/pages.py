"""The "AI modules" pages on an organization's host: the list with the upload form, and one module with its
versions, a test form made from its description, the choice of active and candidate version and their comparison."""

from __future__ import annotations

import base64
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.roles import Role, role_at_least
from apps.ai.modules import selectors, services
from apps.core.errors import DomainError


def _editor(request) -> bool:
    if request.membership is None:
        raise Http404
    return role_at_least(request.membership.role, Role.EDITOR)


def _endpoint(post) -> dict:
    return {
        "protocol": post.get("protocol", ""),
        "url": post.get("url", ""),
        "model": post.get("model_name", ""),
        "version": post.get("model_version", ""),
        "datatype": post.get("datatype", "") or "FP32",
    }


def _upload(request, module=None):
    post = request.POST
    upload = request.FILES.get("file")
    kind = module.kind if module else post.get("kind", "onnx")
    common = {
        "description": post.get("description", ""),
        "model": upload.read() if upload is not None and kind == "onnx" else None,
        "endpoint": _endpoint(post) if kind == "http" else None,
        "example": post.get("example", ""),
    }
    if module is None:
        return services.ai_module_create(
            user=request.user,
            name=post.get("name", ""),
            kind=kind,
            summary=post.get("summary", ""),
            license=post.get("license", ""),
            **common,
        )
    return services.ai_module_version_add(
        module=module, user=request.user, note=post.get("note", ""), activate=post.get("activate") == "on", **common
    )


@login_required
def module_list_page(request):
    can_edit = _editor(request)
    form, error, status = {}, "", 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = request.POST
        try:
            version = _upload(request)
        except DomainError as refused:
            error, status = str(refused.message), 400
        else:
            messages.success(
                request, _("The module “%(name)s” is ready to use in the step “Run an AI module”.") % {"name": version.module.name}
            )
            return redirect("ai_pages:module", pk=version.module_id)
    context = {"modules": list(selectors.module_list()), "can_edit": can_edit, "form": form, "error": error}
    return render(request, "ai/modules.html", context, status=status)


def _test_fields(version) -> list[dict]:
    """The test form's fields, from the description: one per feature, a picture, or one JSON field per input."""
    spec = version.spec
    example = version.example or {}
    if spec.get("input") == "tabular":
        return [{"name": f["field"], "kind": "number", "value": example.get(f["field"], f.get("default") or "")} for f in spec["features"]]
    if spec.get("input") == "image":
        return [{"name": spec["image"]["field"], "kind": "image", "value": ""}]
    return [{"name": field, "kind": "json", "value": json.dumps(example.get(field, ""))} for field in spec.get("tensors", {}).values()]


def _test_item(request, version) -> dict:
    item: dict = {}
    for field in _test_fields(version):
        name = field["name"]
        raw = request.POST.get(f"field:{name}", "")
        if field["kind"] == "image":
            upload = request.FILES.get(f"field:{name}")
            item[name] = base64.b64encode(upload.read()).decode() if upload is not None else ""
        elif field["kind"] == "json":
            try:
                item[name] = json.loads(raw) if raw.strip() else None
            except ValueError:
                raise services.ModuleRefused(_("“%(field)s” is not valid JSON.") % {"field": name}, code="invalid") from None
        else:
            item[name] = raw.strip()
    return item


def _versions_form(request, module):
    share = request.POST.get("candidate_share", "0")
    candidate = request.POST.get("candidate_version") or None
    services.ai_module_update(
        module=module,
        active_version=request.POST.get("active_version") or module.active_version,
        candidate_version=candidate,
        candidate_share=share if candidate else 0,
    )
    messages.success(request, _("The versions were saved."))


@login_required
def module_detail_page(request, pk):
    can_edit = _editor(request)
    module = get_object_or_404(selectors.module_list(), pk=pk)
    versions = list(selectors.module_versions(module=module))
    shown = next((v for v in versions if v.number == module.active_version), versions[0] if versions else None)
    results, error, status = None, "", 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "test":
                number = int(request.POST.get("version") or shown.number)
                shown = next((v for v in versions if v.number == number), shown)
                results = services.ai_module_try(module=module, items=[_test_item(request, shown)], version=shown.number)
            elif action == "version":
                _upload(request, module)
                messages.success(request, _("A new version was added. Compare it with the active one before switching."))
                return redirect("ai_pages:module", pk=module.pk)
            elif action == "versions":
                _versions_form(request, module)
                return redirect("ai_pages:module", pk=module.pk)
        except (DomainError, ValueError) as refused:
            error, status = str(getattr(refused, "message", refused)), 400
    comparison = (
        selectors.comparison_summary(module=module, candidate_version=module.candidate_version) if module.candidate_version else None
    )
    context = {
        "module": module,
        "versions": versions,
        "shown": shown,
        "fields": _test_fields(shown) if shown else [],
        "results": results,
        "results_json": json.dumps(results, ensure_ascii=False, indent=2) if results else "",
        "error": error,
        "can_edit": can_edit,
        "comparison": comparison,
        "description_json": json.dumps(shown.spec, ensure_ascii=False, indent=2) if shown else "",
    }
    return render(request, "ai/module.html", context, status=status)


@login_required
@require_POST
def module_delete_page(request, pk):
    if not _editor(request):
        raise Http404
    module = get_object_or_404(selectors.module_list(), pk=pk)
    services.ai_module_delete(module=module)
    messages.success(request, _("The module “%(name)s” was deleted.") % {"name": module.name})
    return redirect("ai_pages:modules")
