"""Pages: all my notifications, open one (marks it read), and a flow's alert settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.roles import Role, role_at_least
from apps.core.errors import NotFound
from apps.flows import selectors as flow_selectors
from apps.notifications import selectors
from apps.notifications.api.serializers import NotificationOutput
from apps.notifications.forms import AlertRuleForm
from apps.notifications.services.notifications import notification_mark_all_read, notification_mark_read
from apps.notifications.services.rules import alert_rule_create, alert_rule_delete, alert_rule_update

FORM_FIELDS = {"recipient_ids": "recipients", "slack_webhook_url": "slack_webhook_url"}


@login_required
def notification_list_page(request):
    page = Paginator(selectors.notification_list(user=request.user), 20).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for notification, view in zip(items, NotificationOutput(items, many=True).data, strict=True):
        notification.view = view
    return render(request, "notifications/list.html", {"page": page, "items": items})


@login_required
@require_POST
def notification_open(request, pk):
    try:
        notification = notification_mark_read(user=request.user, notification_id=pk)
    except NotFound:
        raise Http404 from None
    return redirect(NotificationOutput(notification).data["url"])


@login_required
@require_POST
def notification_read_all(request):
    notification_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def flow_alerts_page(request, pk):
    flow = get_object_or_404(flow_selectors.flow_list(), pk=pk)
    can_edit = role_at_least(request.membership.role, Role.EDITOR)
    members = list(selectors.active_members())
    rules = list(selectors.alert_rule_list(flow=flow))
    editing = next((r for r in rules if str(r.pk) == (request.POST.get("rule") or request.GET.get("edit") or "")), None)
    initial = None
    if editing is not None:
        initial = {
            name: getattr(editing, name)
            for name in ("kind", "threshold", "duration_seconds", "in_app", "email", "deactivate_after", "enabled")
        }
        initial["recipients"] = editing.recipient_ids
    form = AlertRuleForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST":
        if not can_edit:
            messages.error(request, _("Your role in this organization does not allow this."))
            return redirect("notifications:flow-alerts", pk=flow.pk)
        if request.POST.get("action") == "delete" and editing is not None:
            alert_rule_delete(rule=editing)
            messages.success(request, _("Alert deleted."))
            return redirect("notifications:flow-alerts", pk=flow.pk)
        if form.is_valid():
            try:
                if editing is not None:
                    alert_rule_update(rule=editing, **form.changes())
                else:
                    alert_rule_create(flow=flow, user=request.user, **form.changes())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    name = FORM_FIELDS.get(field, field)
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                messages.success(request, _("Alert saved."))
                return redirect("notifications:flow-alerts", pk=flow.pk)
    names = {m.user_id: m.user.display_name for m in members}
    for rule in rules:
        rule.recipient_names = [names.get(user_id, "?") for user_id in rule.recipient_ids]
    context = {"flow": flow, "rules": rules, "form": form, "editing": editing, "can_edit": can_edit}
    context["window_minutes"] = max(1, round(settings.EZFLOW_ALERT_WINDOW_SECONDS / 60))
    return render(request, "notifications/flow_alerts.html", context, status=400 if form.errors else 200)
