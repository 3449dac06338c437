"""The "API connectors" pages on an organization's host: the list with an import form (file, pasted text or an
address), and one connector with its operations by tag, what was skipped, and its versions with what changed."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.roles import Role, role_at_least
from apps.connectors.openapi import parse, selectors, services
from apps.connectors.openapi.text import reason_text, skipped_list


def _member(request):
    if request.membership is None:
        raise Http404
    return role_at_least(request.membership.role, Role.EDITOR)


def _list(request, *, status: int = 200, form: dict | None = None, error: str = "", skipped: list | None = None):
    connectors = list(selectors.connector_list())
    context = {"connectors": connectors, "can_edit": _member(request), "form": form or {}, "error": error, "skipped": skipped or []}
    return render(request, "connectors/openapi_list.html", context, status=status)


@login_required
def connector_list_page(request):
    can_edit = _member(request)
    if request.method != "POST":
        return _list(request)
    if not can_edit:
        raise Http404
    form = {"name": request.POST.get("name", ""), "url": request.POST.get("url", ""), "spec": request.POST.get("spec", "")}
    upload = request.FILES.get("file")
    text = form["spec"]
    if upload is not None:
        if upload.size > parse.MAX_SPEC_BYTES:
            return _list(
                request,
                status=400,
                form=form,
                error=reason_text({"template": parse.too_large().template, "values": parse.too_large().values}),
            )
        text = upload.read().decode("utf-8-sig", "replace")
    try:
        version = services.connector_import(
            user=request.user,
            name=form["name"],
            spec_text=text,
            url=form["url"].strip(),
            allow_hosts=getattr(connection.tenant, "allowed_internal_hosts", None) or [],
        )
    except services.ImportRefused as refused:
        return _list(request, status=400, form=form, error=str(refused.message), skipped=refused.extra.get("skipped", []))
    messages.success(
        request,
        _("Imported version %(number)s with %(count)s operations.") % {"number": version.number, "count": len(version.operations)},
    )
    return redirect("connector_pages:detail", pk=version.connector_id)


def _diff_rows(diff: dict) -> list[dict]:
    rows = []
    for change in diff.get("changed") or []:
        parts = []
        if change.get("request"):
            parts.append(_("method or address"))
        if change.get("parameters_added"):
            parts.append(_("parameters added: %(names)s") % {"names": ", ".join(change["parameters_added"])})
        if change.get("parameters_removed"):
            parts.append(_("parameters removed: %(names)s") % {"names": ", ".join(change["parameters_removed"])})
        if change.get("parameters_changed"):
            parts.append(_("parameters changed: %(names)s") % {"names": ", ".join(change["parameters_changed"])})
        if change.get("body"):
            parts.append(_("body format"))
        if change.get("auth"):
            parts.append(_("sign-in"))
        rows.append({"id": change["id"], "what": "; ".join(parts)})
    return rows


@login_required
def connector_detail_page(request, pk):
    can_edit = _member(request)
    connector = get_object_or_404(selectors.connector_list(), pk=pk)
    versions = list(selectors.connector_versions(connector=connector))
    latest = versions[0]
    operations = sorted(latest.operations, key=lambda op: op.get("tag") or "~")
    groups = [{"tag": tag or _("Other"), "operations": list(ops)} for tag, ops in groupby(operations, key=lambda op: op.get("tag") or "")]
    schemes = [
        {"name": name, "type": scheme["type"], "why": reason_text(scheme["why"]) if scheme["type"] == "unsupported" else ""}
        for name, scheme in latest.security_schemes.items()
    ]
    history = [
        {
            "version": v,
            "skipped": skipped_list(v.skipped),
            "changed": _diff_rows(v.diff),
            "added": v.diff.get("added", []),
            "removed": v.diff.get("removed", []),
        }
        for v in versions
    ]
    context = {"connector": connector, "latest": latest, "groups": groups, "schemes": schemes, "history": history, "can_edit": can_edit}
    return render(request, "connectors/openapi_detail.html", context)


@login_required
@require_POST
def connector_delete_page(request, pk):
    if not _member(request):
        raise Http404
    connector = get_object_or_404(selectors.connector_list(), pk=pk)
    services.connector_delete(connector=connector)
    messages.success(request, _("The API connector “%(name)s” was deleted.") % {"name": connector.name})
    return redirect("connector_pages:list")
