"""The /assistant/ page: "무엇을 자동화할까요?" — a sentence becomes a new flow, opened in the editor."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.roles import Role, role_at_least
from apps.assistant.models import Turn
from apps.assistant.services import assistant_draft, turn_record
from apps.core.errors import DomainError
from apps.flows.services.flows import flow_create


@login_required
def assistant_page(request):
    if request.membership is None:
        raise Http404
    can_edit = role_at_least(request.membership.role, Role.EDITOR)
    context = {"can_edit": can_edit, "prompt": "", "error": ""}
    if request.method == "POST":
        prompt = request.POST.get("prompt", "")
        context["prompt"] = prompt
        if not can_edit:
            context["error"] = _("Your role in this organization does not allow this.")
            return render(request, "assistant/start.html", context, status=403)
        try:
            answer = assistant_draft(user=request.user, organization=connection.tenant, prompt=prompt, language=request.LANGUAGE_CODE[:2])
        except DomainError as exc:
            context["error"] = str(exc.message)
            return render(request, "assistant/start.html", context, status=exc.status)
        flow = flow_create(user=request.user, name=prompt.strip()[:200], description=answer["message"], graph=answer["graph"])
        # The editor's assistant panel opens on this first turn, already applied; follow-ups continue from it.
        turn_record(
            user=request.user, flow=flow, prompt=prompt, answer=answer, graph_before={"nodes": [], "edges": []}, state=Turn.State.APPLIED
        )
        return redirect(f"{reverse('flow-editor', kwargs={'flow_id': flow.pk})}?assistant=1")
    return render(request, "assistant/start.html", context)
