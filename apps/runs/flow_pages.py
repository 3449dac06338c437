"""Flow pages that show runs or start them: the flow list with each flow's last run, a flow's overview with its
last runs, and Run now. They live here because runs are a layer above flows; their URLs stay under /flows/
(ezflow_site/urls_tenant.py puts them in the flow_pages namespace).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.middleware import current_organization
from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.flows import selectors as flow_selectors
from apps.flows.forms import FlowSearchForm, NewFlowForm
from apps.flows.pages import (
    IMPORT_REPORT_KEY,
    can_edit,
    error_message,
    flow_get_or_404,
    import_warning_text,
    refused,
    trigger_summaries,
    without_pins,
)
from apps.runs import selectors
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_enqueue

PAGE_SIZE = 20
LAST_RUNS = 10


@login_required
def flow_list_page(request):
    form = FlowSearchForm(request.GET)
    search = tag = ""
    if form.is_valid():
        search, tag = form.cleaned_data["q"].strip(), form.cleaned_data["tag"].strip()
    page = Paginator(selectors.flow_list_with_last_run(search=search, tag=tag), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {key: value for key, value in (("q", search), ("tag", tag)) if value}
    context = {
        "form": form,
        "page": page,
        "flows": [_list_row(flow) for flow in page.object_list],
        "tags": flow_selectors.flow_tag_list(),
        "search": search,
        "tag": tag,
        "filter_query": urlencode(filters),
        "can_edit": can_edit(request),
        "new_form": NewFlowForm(),
    }
    return render(request, "flows/list.html", context)


def _list_row(flow) -> dict:
    status = flow.last_run_status
    return {
        "flow": flow,
        "last_run_id": flow.last_run_id,
        "last_run_status": status,
        "last_run_label": Run.Status(status).label if status else "",
        "last_run_at": flow.last_run_at,
    }


@login_required
def flow_overview(request, pk):
    flow = flow_get_or_404(pk)
    organization = current_organization(request)
    published = flow.published_version
    graph = published.graph if published else flow.draft
    versions = list(flow_selectors.version_list(flow=flow).defer("graph")[:20])
    authors = {u.pk: u for u in User.objects.filter(pk__in={v.created_by_id for v in versions if v.created_by_id})}
    runs = list(
        Run.objects.filter(flow=flow).only("id", "number", "status", "trigger", "created_at", "started_at", "finished_at")[:LAST_RUNS]
    )
    if request.GET.get("fragment") == "runs":  # the live refresh of the last runs (static/js/runs.js)
        return render(request, "flows/_last_runs.html", {"runs": runs})
    report = request.session.pop(IMPORT_REPORT_KEY, None)
    if report and report.get("flow_id") != flow.pk:
        report = None
    if report:
        for warning in report["warnings"]:
            warning["text"] = import_warning_text(warning["code"])
    context = {
        "flow": flow,
        "published": published,
        "unpublished_changes": published is not None and without_pins(flow.draft) != without_pins(published.graph),
        "triggers": trigger_summaries(flow, graph, organization),
        "versions": [(v, authors.get(v.created_by_id)) for v in versions],
        "runs": runs,
        "live_since": selectors.epoch_ms(timezone.now()),
        "can_edit": can_edit(request),
        "import_report": report,
        "saved_state": saved_state_text(flow_selectors.flow_state_get(flow_id=flow.pk)),
    }
    return render(request, "flows/overview.html", context)


def saved_state_text(state: dict) -> str:
    """The flow's saved state as indented JSON for the overview ("" when there is none), cut for a page."""
    if not state:
        return ""
    text = json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return text if len(text) <= 4000 else text[:4000] + "\n…"


@login_required
@require_POST
def flow_run_now(request, pk):
    flow = flow_get_or_404(pk)
    if not can_edit(request):
        return refused(request, f"/flows/{flow.pk}/")
    try:
        run = run_create(flow=flow, trigger=Run.Trigger.MANUAL, user=request.user)
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        run_enqueue(run)
        messages.success(request, _("Run #%(number)s started. It appears under Last runs.") % {"number": run.number})
    return redirect("flow_pages:overview", pk=flow.pk)


flow_urlpatterns = [
    path("", flow_list_page, name="list"),
    path("<int:pk>/", flow_overview, name="overview"),
    path("<int:pk>/run/", flow_run_now, name="run"),
]
