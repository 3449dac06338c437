"""The flow editor page: a server-rendered shell that boots the React editor bundle built into static/editor/."""

from __future__ import annotations

import hashlib
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation

from apps.accounts.roles import Role, role_at_least
from apps.flows import selectors
from apps.flows.services.oauth2 import oauth2_redirect_uri

BUNDLE_FILES = ("editor/editor.js", "editor/editor.css")


@cache
def bundle_version() -> str:
    """A short hash of the committed bundle, so browsers fetch it again after each rebuild (file names are fixed)."""
    digest = hashlib.sha256()
    for name in BUNDLE_FILES:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@login_required
def flow_editor(request, flow_id: int):
    if request.membership is None:
        raise Http404
    flow = get_object_or_404(selectors.flow_list(), pk=flow_id)
    boot = {
        "flow_id": flow.pk,
        "csrf_token": get_token(request),
        "language": (translation.get_language() or "en").split("-")[0],
        "can_edit": role_at_least(request.membership.role, Role.EDITOR),
        "role": request.membership.role,
        "api_base": "/api/v1",
        "ws_path": "/ws/",
        "flow_url": f"/flows/{flow.pk}/",
        "flows_url": "/flows/",
        "max_body_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "time_zone": timezone.get_current_timezone_name(),  # the organization's (OrganizationTimezoneMiddleware)
        "oauth2_redirect_uri": oauth2_redirect_uri(request.tenant),
    }
    return render(request, "flows/editor.html", {"flow": flow, "boot": boot, "bundle_version": bundle_version()})
