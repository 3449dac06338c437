"""Server-rendered flow pages (list, overview, import, export) that work on a phone, and the PWA files.

Actions are POST forms with CSRF that call the flow and run services and report through Django messages.
Viewers read everything; their POSTs are refused with a message. The React editor lives at /flows/<id>/edit/.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.roles import Role, role_at_least
from apps.core.errors import DomainError
from apps.flows import selectors
from apps.flows.forms import ImportForm, NewFlowForm
from apps.flows.import_report import import_status_text, import_warning_text  # noqa: F401  (import_warning_text: used by the runs app)
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.services.flow_state import flow_state_reset
from apps.flows.services.flows import flow_create, flow_set_active
from apps.flows.services.transfer import flow_export, flow_export_n8n, flow_import
from apps.flows.triggers.registry import TriggerSummary, trigger_kinds

IMPORT_REPORT_KEY = "ezflow_flow_import_report"


def can_edit(request) -> bool:
    return request.membership is not None and role_at_least(request.membership.role, Role.EDITOR)


def refused(request, to: str):
    messages.error(request, _("Viewers can look at flows but cannot change or run them. Ask an admin for the editor role."))
    return redirect(to)


def flow_get_or_404(pk):
    return get_object_or_404(selectors.flow_list(), pk=pk)


def error_message(exc: DomainError) -> str:
    return str(exc.message)


# ---- list, new, import, export ------------------------------------------------------------------


@login_required
@require_POST
def flow_new(request):
    if not can_edit(request):
        return refused(request, "flow_pages:list")
    form = NewFlowForm(request.POST)
    name = form.cleaned_data["name"].strip() if form.is_valid() else ""
    try:
        flow = flow_create(user=request.user, name=name or _("Untitled flow"))
    except DomainError as exc:
        messages.error(request, error_message(exc))
        return redirect("flow_pages:list")
    return redirect(f"/flows/{flow.pk}/edit/")


@login_required
def flow_import_page(request):
    if request.method == "POST" and not can_edit(request):
        return refused(request, "flow_pages:list")
    try:
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    except RequestDataTooBig:
        form = ImportForm()
        form.add_error(None, _("The pasted text is too large. Paste less, or import it as a file."))
        return render(request, "flows/import.html", {"form": form, "can_edit": can_edit(request)}, status=400)
    if request.method == "POST" and form.is_valid():
        try:
            result = flow_import(user=request.user, data=form.cleaned_data["data"])
        except DomainError as exc:
            form.add_error(None, error_message(exc))
        else:
            flow = result["flow"]
            request.session[IMPORT_REPORT_KEY] = {
                "flow_id": flow.pk,
                "source": result["source"],
                "unsupported": [{"name": str(u.get("name", "")), "type": str(u.get("type", ""))} for u in result["unsupported"]],
                "warnings": [{"node": str(w.get("node", "")), "code": str(w.get("code", ""))} for w in result["warnings"]],
                "problems": len(result["problems"]),
                "steps": [
                    {"node": str(e["node"]), "status": e["status"], "text": import_status_text(e)} for e in result.get("report") or []
                ],
                "credentials": [{"kind": str(c["kind"]), "name": str(c["name"])} for c in result.get("credentials") or []],
                "more_flows": [{"id": r["flow"].pk, "name": r["flow"].name} for r in result.get("flows", [])[1:]],
            }
            messages.success(request, _("“%(name)s” was imported as a draft.") % {"name": flow.name})
            return redirect("flow_pages:overview", pk=flow.pk)
    status = 400 if form.errors else 200
    return render(request, "flows/import.html", {"form": form, "can_edit": can_edit(request)}, status=status)


@login_required
@require_GET
def flow_export_download(request, pk):
    flow = flow_get_or_404(pk)
    body = json.dumps(flow_export(flow=flow), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{slugify(flow.name) or 'flow'}-{flow.pk}.ezflow.json"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_GET
def flow_export_n8n_download(request, pk):
    flow = flow_get_or_404(pk)
    body = json.dumps(flow_export_n8n(flow=flow)["workflow"], ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{slugify(flow.name) or 'flow'}-{flow.pk}.n8n.json"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# ---- overview and actions -----------------------------------------------------------------------


def without_pins(graph: dict) -> dict:
    return {key: value for key, value in (graph or {}).items() if key != "pinned"}


def trigger_summaries(flow, graph: dict, organization) -> list[TriggerSummary]:
    """How the flow starts, in words: each trigger step's kind describes itself."""
    registry = load_builtin_nodes()
    found = []
    for node in graph.get("nodes", []):
        node_type = registry.get(node.get("type"))
        kind = trigger_kinds.get(node_type.trigger_kind) if node_type is not None else None
        if kind is not None:
            found.append(kind.summary(node=node, node_type=node_type, flow=flow, organization=organization))
    return found


@login_required
@require_POST
def flow_activation(request, pk, active: bool):
    flow = flow_get_or_404(pk)
    if not can_edit(request):
        return refused(request, f"/flows/{flow.pk}/")
    try:
        flow_set_active(flow=flow, active=active)
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        if active:
            messages.success(request, _("“%(name)s” is on. Its triggers now start runs.") % {"name": flow.name})
        else:
            messages.success(request, _("“%(name)s” is off. Its triggers no longer start runs.") % {"name": flow.name})
    return redirect("flow_pages:overview", pk=flow.pk)


@login_required
@require_POST
def flow_state_reset_page(request, pk):
    flow = flow_get_or_404(pk)
    if not can_edit(request):
        return refused(request, f"/flows/{flow.pk}/")
    flow_state_reset(flow=flow)
    messages.success(request, _("The flow's saved state was cleared. The next run starts from nothing."))
    return redirect("flow_pages:overview", pk=flow.pk)


# ---- PWA ----------------------------------------------------------------------------------------

SHELL_FILES = ("css/ezflow.css", "css/flows.css", "js/flows.js", "pwa/pwa.js", "pwa/pwa.css", "pwa/icon-192.png", "pwa/icon-512.png")


@require_GET
def manifest(request):
    data = {
        "id": "/flows/",
        "name": _("EZFlow — workflow automation"),
        "short_name": _("EZFlow"),
        "description": _("Your organization's flows and runs, also on your phone."),
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "start_url": "/flows/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8fb",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("pwa/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Vary"] = "Accept-Language, Cookie"
    return response


THEME_COLOR = "#2f6df6"


@lru_cache(maxsize=1)
def _shell_version() -> str:
    """Changes whenever a precached file or the worker itself changes, so browsers replace the old cache."""
    digest = hashlib.sha256()
    for name in (*SHELL_FILES, "pwa/sw.js"):
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@never_cache
@require_GET
def service_worker(request):
    """The worker must be served from / to control every page of the organization's host."""
    with open(finders.find("pwa/sw.js"), encoding="utf-8") as handle:
        source = handle.read()
    if settings.DEBUG:
        _shell_version.cache_clear()
    config = {"version": _shell_version(), "offline": "/offline/", "precache": ["/offline/", *(static(name) for name in SHELL_FILES)]}
    body = f"const EZFLOW_SW = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline_page(request):
    """Shown by the service worker when a page was never saved and there is no connection."""
    return render(request, "flows/offline.html")
