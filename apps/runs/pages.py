"""Run pages: the run list, one run, and monitoring. Live updates come from static/js/runs.js over /ws/;
the server renders every fragment, so the page and its live refreshes show the same thing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.middleware import current_organization
from apps.accounts.roles import Role, role_at_least
from apps.core.errors import DomainError
from apps.flows.selectors import flow_list
from apps.runs import selectors
from apps.runs.forms import RunFilterForm
from apps.runs.models import Run
from apps.runs.sections import run_sections
from apps.runs.services.runs import run_cancel, run_enqueue, run_retry
from apps.runs.templatetags.runs_extras import NODE_STATUS

PAGE_SIZE = 50
ACTIONS = ("cancel", "retry", "rerun")
STATUS_LABELS = dict(Run.Status.choices)


def _can_run(request) -> bool:
    return role_at_least(request.membership.role, Role.EDITOR)


@login_required
def run_list_page(request):
    flows = flow_list().select_related(None).only("id", "name").order_by("name")
    form = RunFilterForm(request.GET or None, flows=flows)
    runs = Run.objects.none()
    if form.is_bound and form.is_valid():
        runs = selectors.run_list(**form.filters())
    elif not form.is_bound:
        runs = selectors.run_list()
    runs = list(runs[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "flows": flows,
        "runs": runs[:PAGE_SIZE],
        "more": len(runs) > PAGE_SIZE,
        "status_labels": STATUS_LABELS,
        "live_since": selectors.epoch_ms(timezone.now()),
    }
    if request.GET.get("fragment") == "rows":
        return render(request, "runs/_rows.html", context)
    return render(request, "runs/list.html", context, status=400 if form.errors else 200)


@login_required
def run_detail_page(request, pk):
    run = get_object_or_404(selectors.run_list().prefetch_related("node_runs"), pk=pk)
    view = selectors.run_view(run)
    context = {
        "view": view,
        "run": run,
        "can_run": _can_run(request),
        "tables": {n.id: _tables(n) for n in view.nodes},
        "files": selectors.run_files(run, view),
        "status_labels": STATUS_LABELS,
        "node_status_labels": NODE_STATUS,
        "sections": run_sections.for_run(run),
    }
    fragment = request.GET.get("fragment")
    if fragment == "detail":
        return render(request, "runs/_detail.html", context)
    return render(request, "runs/detail.html", context)


def _tables(node) -> dict:
    outputs = {port: {**sample, "table": selectors.items_table(sample.get("items", []))} for port, sample in node.outputs.items()}
    return {"inputs": selectors.items_table(node.inputs), "outputs": outputs}


@login_required
@require_POST
def run_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    run = get_object_or_404(selectors.run_list(), pk=pk)
    if not _can_run(request):
        messages.error(request, _("Viewers can look at runs but not cancel or start them. Ask an admin for the editor role."))
        return redirect("runs:detail", pk=run.pk)
    try:
        if action == "cancel":
            run_cancel(run=run)
            messages.success(request, _("Cancelling the run. Steps already running finish first."))
            return redirect("runs:detail", pk=run.pk)
        new_run = run_enqueue(run_retry(run=run, user=request.user, from_failed_node=action == "retry"))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("runs:detail", pk=run.pk)
    if action == "retry":
        messages.success(request, _("Retrying from the failed step; the steps that succeeded are reused."))
    else:
        messages.success(request, _("Running the flow again with the same input."))
    return redirect("runs:detail", pk=new_run.pk)


@login_required
def monitoring_page(request):
    flows = list(flow_list().select_related(None).only("id", "name").order_by("name"))
    flow_id = request.GET.get("flow") or None
    flow = None
    if flow_id is not None:
        flow = next((f for f in flows if str(f.pk) == flow_id), None)
        if flow is None:
            messages.error(request, _("That flow does not exist in this organization. Showing all flows."))
    period = request.GET.get("period") if request.GET.get("period") in selectors.PERIODS else selectors.DEFAULT_PERIOD
    organization = current_organization(request)
    include_tests = request.GET.get("tests") == "1"
    stats = selectors.run_stats(
        flow_id=flow.pk if flow else None, period=period, time_zone=organization.time_zone, include_tests=include_tests
    )
    chart_labels = {"success": _("Succeeded"), "failed": _("Failed"), "other": _("Other"), "language": get_language()}
    context = {
        "flows": flows,
        "flow": flow,
        "period": period,
        "include_tests": include_tests,
        "periods": _period_labels(),
        "stats": stats,
        "chart_labels": chart_labels,
        "live_since": selectors.epoch_ms(timezone.now()),
        "sections": run_sections.for_monitoring(flow=flow, organization=organization),
    }
    return render(request, "runs/monitoring.html", context)


def _period_labels():
    return [("24h", _("Last 24 hours")), ("7d", _("Last 7 days")), ("30d", _("Last 30 days"))]
