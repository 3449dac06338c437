"""Marketplace pages: browse and read on every host; rate, comment, use, publish and update on organization hosts.

Views stay thin: selectors read, services write and explain refusals (MarketplaceError), forms only shape input.
"""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.middleware import current_organization
from apps.accounts.roles import Role, role_at_least
from apps.core.errors import DomainError
from apps.marketplace import page_selectors, selectors, services
from apps.marketplace.forms import BrowseForm, CommentForm, PublishForm, RatingForm, ReportForm, UseForm, YankForm
from apps.marketplace.markdown import render_markdown
from apps.marketplace.models import Comment, TemplateVersion

PAGE_SIZE = 12


def _organization(request):
    organization = current_organization(request)
    return None if organization is None or organization.is_public else organization


def _base(request) -> str:
    return "org_base.html" if _organization(request) is not None else "public_base.html"


def _can_edit(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and role_at_least(membership.role, Role.EDITOR)


def _page(request, name: str, context: dict, status: int = 200):
    on_public_host = _organization(request) is None
    sign_in_url = (
        reverse("public:find") if on_public_host else f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
    )
    context = {
        "base_template": _base(request),
        "can_edit": _can_edit(request),
        "on_public_host": on_public_host,
        "sign_in_url": sign_in_url,
        **context,
    }
    return render(request, f"marketplace/{name}.html", context, status=status)


def _refused(request, message: str):
    return _page(request, "refused", {"message": message}, status=403)


def organization_host(view):
    """Actions that belong to an organization: not on the public host; a signed-in member there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _organization(request) is None:
            raise Http404
        return login_required(view)(request, *args, **kwargs)

    return wrapper


def editors_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _can_edit(request):
            return _refused(
                request,
                _("Viewers can browse, rate and comment on templates, but only editors, admins and owners can publish or install them."),
            )
        return view(request, *args, **kwargs)

    return organization_host(wrapper)


def _template_or_404(request, pk):
    template = selectors.template_detail(template_id=pk, organization=_organization(request))
    if template is None:
        raise Http404
    return template


def _detail_url(template, anchor: str = "") -> str:
    return reverse("marketplace:detail", args=[template.pk]) + (f"#{anchor}" if anchor else "")


def _form_errors(form, exc: DomainError) -> None:
    fields = (exc.extra or {}).get("fields") or {}
    if fields:
        for name, message in fields.items():
            form.add_error(name if name in form.fields else None, str(message))
    else:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


# ---- browse and read (every host) -----------------------------------------------------------------


def browse(request):
    organization = _organization(request)
    data = request.GET.copy()
    if not data.get("sort"):  # the select shows the order actually used: best match while searching, else most installed
        data["sort"] = "relevance" if data.get("q", "").strip() else "popular"
    form = BrowseForm(data, node_types=page_selectors.node_type_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    query = (filters.get("q") or "").strip()
    sort = filters.get("sort") or ("relevance" if query else "popular")
    templates = selectors.template_search(
        organization=organization,
        query=query,
        category=filters.get("category") or "",
        tags=[filters["tag"]] if filters.get("tag") else (),
        node_types=[filters["node_type"]] if filters.get("node_type") else (),
        language=filters.get("language") or "",
        min_rating=float(filters["min_rating"]) if filters.get("min_rating") else None,
        sort=sort,
        prefer_language=(get_language() or "en")[:2],
    ).select_related("author_organization")
    paginator = Paginator(templates, PAGE_SIZE)
    page = paginator.get_page(filters.get("page") or 1)
    kept = {key: value for key, value in request.GET.items() if key != "page" and value}
    return _page(
        request,
        "browse",
        {
            "form": form,
            "page": page,
            "query": query,
            "sort": sort,
            "filters": filters,
            "page_query": urlencode(kept),
            "tag_facets": page_selectors.tag_facets(organization=organization),
            "active_filters": bool(kept),
        },
        status=400 if form.errors else 200,
    )


def detail(request, pk):
    organization = _organization(request)
    template = _template_or_404(request, pk)
    versions = list(selectors.template_version_list(template=template))
    latest = template.latest_version
    user = request.user if getattr(request, "membership", None) is not None else None
    my_rating = selectors.rating_get(template=template, user=user) if user else None
    context = {
        "template": template,
        "description_html": mark_safe(render_markdown(template.description)),  # noqa: S308 (sanitised by nh3)
        "versions": versions,
        "latest": latest,
        "preview": page_selectors.graph_preview(latest.graph if latest else None),
        "credentials_needed": services.credentials_needed(latest.graph) if latest else [],
        "variables_needed": sorted(page_selectors.variables_in(latest.graph)) if latest else [],
        "summary": selectors.rating_summary(template=template),
        "ratings": selectors.rating_list(template=template).exclude(review="")[:20],
        "my_rating": my_rating,
        "rating_form": RatingForm(initial={"stars": my_rating.stars, "review": my_rating.review} if my_rating else None),
        "threads": selectors.comment_threads(template=template),
        "comment_form": CommentForm(),
        "report_reasons": ReportForm.base_fields["reason"].choices,
        "installs": page_selectors.installs_of_template(organization=organization, template=template),
        "installable": organization is not None and services.template_installable(template=template, organization=organization),
        "is_author": organization is not None and template.author_organization_id == organization.pk,
        "yank_form": YankForm(),
    }
    return _page(request, "detail", context)


def version(request, pk, version_id):
    template = _template_or_404(request, pk)
    versions = list(selectors.template_version_list(template=template))
    chosen = next((v for v in versions if v.pk == version_id), None)
    if chosen is None:
        raise Http404
    older = [v for v in versions if v.sort_key < chosen.sort_key]
    previous = older[0] if older else None
    context = {
        "template": template,
        "version": chosen,
        "previous": previous,
        "preview": page_selectors.graph_preview(chosen.graph),
        "diff": page_selectors.readable_diff(previous.graph if previous else None, chosen.graph),
    }
    return _page(request, "version", context)


# ---- ratings and comments (members of an organization) --------------------------------------------


@organization_host
@require_POST
def rate(request, pk):
    template = _template_or_404(request, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 5 stars."))
        return redirect(_detail_url(template, "ratings"))
    try:
        services.rating_set(template=template, user=request.user, stars=form.cleaned_data["stars"], review=form.cleaned_data["review"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you — your rating is saved."))
    return redirect(_detail_url(template, "ratings"))


@organization_host
@require_POST
def rating_remove(request, pk):
    template = _template_or_404(request, pk)
    services.rating_delete(template=template, user=request.user)
    messages.success(request, _("Your rating was removed."))
    return redirect(_detail_url(template, "ratings"))


def _comment_or_404(request, comment_id):
    comment = Comment.objects.select_related("template").filter(pk=comment_id).first()
    if comment is None or _template_or_404(request, comment.template_id) is None:
        raise Http404
    return comment


@organization_host
@require_POST
def comment_add(request, pk):
    template = _template_or_404(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment of at most 5,000 characters."))
        return redirect(_detail_url(template, "comments"))
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], template=template).first()
        if parent is None:
            messages.error(request, _("The comment you replied to no longer exists."))
            return redirect(_detail_url(template, "comments"))
    try:
        comment = services.comment_create(template=template, user=request.user, body=form.cleaned_data["body"], parent=parent)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(_detail_url(template, "comments"))
    messages.success(request, _("Your comment is posted."))
    return redirect(_detail_url(template, f"comment-{comment.pk}"))


@organization_host
@require_POST
def comment_change(request, comment_id):
    comment = _comment_or_404(request, comment_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment of at most 5,000 characters."))
    else:
        try:
            services.comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your comment is updated."))
    return redirect(_detail_url(comment.template, f"comment-{comment.pk}"))


@organization_host
@require_POST
def comment_remove(request, comment_id):
    comment = _comment_or_404(request, comment_id)
    try:
        services.comment_delete(comment=comment, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your comment was deleted."))
    return redirect(_detail_url(comment.template, "comments"))


@organization_host
@require_POST
def comment_flag(request, comment_id):
    comment = _comment_or_404(request, comment_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why you report this comment."))
    else:
        try:
            services.comment_report(
                comment=comment, user=request.user, reason=form.cleaned_data["reason"], details=form.cleaned_data["details"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you. Moderators will look at this comment."))
    return redirect(_detail_url(comment.template, f"comment-{comment.pk}"))


# ---- use a template (install into the organization) ------------------------------------------------


@editors_only
def use(request, pk):
    organization = _organization(request)
    template = _template_or_404(request, pk)
    if not services.template_installable(template=template, organization=organization):
        raise Http404
    versions = list(selectors.template_version_list(template=template, include_yanked=False))
    form = UseForm(request.POST or None, versions=versions, initial={"version": str(versions[0].pk) if versions else ""})
    if request.method == "POST" and form.is_valid():
        chosen = next(v for v in versions if str(v.pk) == form.cleaned_data["version"])
        try:
            result = services.template_fork(
                membership=request.membership, template=template, version=chosen, name=form.cleaned_data["name"] or None
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("marketplace:installed", flow_id=result.flow.pk)
    chosen_version = next((v for v in versions if str(v.pk) == str(form["version"].value())), versions[0] if versions else None)
    context = {
        "template": template,
        "form": form,
        "versions": versions,
        "credentials_needed": services.credentials_needed(chosen_version.graph) if chosen_version else [],
    }
    return _page(request, "use", context, status=400 if form.errors else 200)


def _variable_save(*, name: str, value: str) -> None:
    from apps.flows.models import Variable
    from apps.flows.services.variables import variable_create, variable_update

    existing = Variable.objects.filter(name=name).first()
    if existing is None:
        variable_create(name=name, value=value)
    else:
        variable_update(variable=existing, value=value)


@organization_host
def installed(request, flow_id):
    """After “Use this template”: what the new flow still needs (credentials, organization variables), variables set here."""
    organization = _organization(request)
    flow = page_selectors.organization_flow(organization=organization, flow_id=flow_id)
    if flow is None or not flow.origin_template_id:
        raise Http404
    template = selectors.template_detail(template_id=flow.origin_template_id, organization=organization)
    hints = page_selectors.shipped_variable_help(template)
    names = sorted(page_selectors.variables_in(flow.draft or {}))
    current = page_selectors.variable_values(names=names)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not _can_edit(request):
            return _refused(request, _("Only editors, admins and owners can change organization variables."))
        submitted = {name: request.POST.get(f"var-{name}", "") for name in names}
        for name, value in submitted.items():
            try:
                if value != current.get(name):
                    _variable_save(name=name, value=value)
            except DomainError as exc:
                errors[name] = str(exc.message)
        current = {**current, **submitted}
        if not errors:
            messages.success(request, _("The organization variables are saved."))
            return redirect("marketplace:installed", flow_id=flow.pk)
    context = {
        "flow": flow,
        "template": template,
        "credentials_needed": services.credentials_needed(flow.draft or {}),
        "variables": [
            {"name": name, "value": current.get(name, ""), "set": name in current, "error": errors.get(name), **hints.get(name, {})}
            for name in names
        ],
    }
    return _page(request, "installed", context, status=400 if errors else 200)


# ---- publish wizard ---------------------------------------------------------------------------------


@editors_only
def publish_choose(request):
    organization = _organization(request)
    flows = page_selectors.organization_flows(organization=organization)
    return _page(request, "publish_choose", {"flows": flows})


@editors_only
def publish(request, flow_id):
    organization = _organization(request)
    flow = page_selectors.organization_flow(organization=organization, flow_id=flow_id)
    if flow is None:
        raise Http404
    preview = services.template_publish_preview(flow=flow)
    own_templates = list(selectors.organization_template_list(organization=organization))
    initial = {"title": flow.name[:120], "summary": (flow.description or "")[:300], "tags": ", ".join(flow.tags)}
    form = PublishForm(request.POST or None, templates=own_templates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == PublishForm.MODE_VERSION:
                template = next((t for t in own_templates if str(t.pk) == data["template"]), None)
                if template is None:
                    raise DomainError(_("Choose which template gets the new version."), field="template")
                services.template_version_publish(
                    membership=request.membership, template=template, flow=flow, version=data["version"], changelog=data["changelog"]
                )
                messages.success(
                    request, _("Version %(version)s of “%(title)s” is published.") % {"version": data["version"], "title": template.title}
                )
            else:
                template = services.template_publish(
                    membership=request.membership,
                    flow=flow,
                    title=data["title"],
                    summary=data["summary"],
                    description=data["description"],
                    category=data["category"],
                    tags=form.tag_list(),
                    language=data["language"],
                    license=data["license"],
                    visibility=data["visibility"],
                    version=data["version"],
                    changelog=data["changelog"],
                )
                messages.success(request, _("“%(title)s” is published in the marketplace.") % {"title": template.title})
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect(_detail_url(template))
    context = {
        "flow": flow,
        "preview": preview,
        "graph": page_selectors.graph_preview(preview.graph),
        "shared_json": json.dumps(preview.graph, ensure_ascii=False, indent=2),
        "removed": page_selectors.removed_labels(preview.removed),
        "form": form,
        "own_templates": own_templates,
    }
    return _page(request, "publish", context, status=400 if form.errors else 200)


# ---- my templates and my forks ----------------------------------------------------------------------


@organization_host
def mine(request):
    organization = _organization(request)
    templates = list(selectors.organization_template_list(organization=organization))
    versions = {}
    for version_row in TemplateVersion.objects.filter(template__in=templates).order_by("-major", "-minor", "-patch"):
        versions.setdefault(version_row.template_id, []).append(version_row)
    context = {
        "templates": [(t, versions.get(t.pk, [])) for t in templates],
        "forks": selectors.fork_list(organization=organization),
        "yank_form": YankForm(),
    }
    return _page(request, "mine", context)


@organization_host
def fork(request, flow_id):
    organization = _organization(request)
    flow = page_selectors.organization_flow(organization=organization, flow_id=flow_id)
    if flow is None or not flow.origin_template_id:
        raise Http404
    status = services.fork_update_check(organization=organization, flow=flow)
    context = {
        "flow": flow,
        "status": status,
        "upstream": page_selectors.readable_diff(
            status.installed_version.graph if status.installed_version else None, status.latest_version.graph
        )
        if status.update_available
        else None,
        "conflicts": page_selectors.readable_conflicts(status.conflicts),
    }
    return _page(request, "fork", context)


@editors_only
@require_POST
def fork_apply(request, flow_id):
    organization = _organization(request)
    flow = page_selectors.organization_flow(organization=organization, flow_id=flow_id)
    if flow is None or not flow.origin_template_id:
        raise Http404
    try:
        result = services.fork_update(membership=request.membership, flow=flow)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("marketplace:fork", flow_id=flow.pk)
    context = {"flow": result.flow, "version": result.version, "conflicts": page_selectors.readable_conflicts(result.conflicts)}
    return _page(request, "fork_updated", context)


@editors_only
@require_POST
def version_yank(request, version_id):
    organization = _organization(request)
    version_row = (
        TemplateVersion.objects.select_related("template").filter(pk=version_id, template__author_organization=organization).first()
    )
    if version_row is None:
        raise Http404
    form = YankForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.template_version_yank(membership=request.membership, version=version_row, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Version %(version)s is withdrawn: nobody can install it any more; flows made from it keep working.")
            % {"version": version_row.version},
        )
    return redirect(
        request.POST.get("next") if request.POST.get("next") == reverse("marketplace:mine") else _detail_url(version_row.template)
    )
