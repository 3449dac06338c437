"""The public page of a hosted form (`/forms/<token>/` on the organization's host): anyone with the address may open
and send it, signed in or not. Django's CSRF check guards the POST (the page sets the token), a hidden honeypot field
catches form-filling robots (answered as if accepted, no run), the body is bounded, and submissions are rate-limited
per visitor and per form (apps/connectors/form_submissions.py). Texts follow the visitor's language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from apps.connectors.form_submissions import form_submission_create, hosted_form_get
from apps.connectors.hosted_forms import Upload, file_fields, form_answers, redirect_allowed, upload_problems
from apps.core.errors import DomainError

HONEYPOT = "website_url"


def _render(request, form, *, status=200, values=None, problems=None, error="", sent=False):
    problems = problems or {}
    rows = (
        [
            {
                "field": item,
                "value": (values or {}).get(item.key, ""),
                "error": problems.get(item.key, ""),
                "input_id": f"form-field-{index}",
            }
            for index, item in enumerate(form.fields)
        ]
        if form
        else []
    )
    context = {
        "form": form,
        "rows": rows,
        "error": error,
        "sent": sent,
        "honeypot": HONEYPOT,
        "thank_you": (form.parameters.get("thank_you") or "").strip() if form else "",
        "organization_name": request.tenant.name,
        "has_files": bool(form and file_fields(form.fields)),
    }
    return render(request, "connectors/hosted_form.html", context, status=status)


def _after(request, form):
    target = str(form.parameters.get("redirect_url") or "").strip()
    if form.parameters.get("after") == "redirect" and redirect_allowed(target):
        return HttpResponseRedirect(target)
    return _render(request, form, sent=True)


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def hosted_form_page(request, token):
    form = hosted_form_get(token=token)
    if form is None or request.tenant.is_suspended:
        return _render(request, None, status=404, error=_("This form is not open. The address may be wrong, or its owner closed it."))
    if request.method == "GET":
        return _render(request, form)
    # Room for the answers, plus each file field's own limit.
    limit = settings.EZFLOW_FORM_MAX_BODY_BYTES + sum(item.max_bytes + 4096 for item in file_fields(form.fields))
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return _render(request, form, status=413, error=_("The answers are too long to send. Please shorten them."))
    posted = {key: request.POST.getlist(key) for key in request.POST}
    if any(posted.get(HONEYPOT, [""])):
        return _after(request, form)  # a robot filled the hidden field: it learns nothing, and no run starts
    keys = {item.key for item in file_fields(form.fields)}
    files = {key: request.FILES.getlist(key) for key in request.FILES if key in keys}
    uploads = {
        key: [Upload(name=f.name or "", size=f.size or 0, content_type=f.content_type or "") for f in sent] for key, sent in files.items()
    }
    answers, problems = form_answers(form.fields, posted)
    problems += upload_problems(form.fields, uploads)
    values = {key: (items[-1] if items else "") for key, items in posted.items()}
    if problems:
        messages = {problem.key: _(problem.template) % problem.values if problem.values else _(problem.template) for problem in problems}
        return _render(request, form, status=400, values=values, problems=messages, error=_("Please correct the answers marked below."))
    try:
        form_submission_create(
            form=form,
            answers=answers,
            ip=request.META.get("REMOTE_ADDR") or None,
            files={key: sent[0] for key, sent in files.items() if sent},
        )
    except DomainError as refused:
        return _render(request, form, status=refused.status, values=values, error=str(refused.message))
    return _after(request, form)
