"""Hosted forms: finding the live form at an address (selector) and turning a visitor's answers into a run (service).

The form is the published version's trigger step, read per request, so publishing or switching the flow off changes
the page at once. A submission is one run and one `FormSubmission` row written in one transaction; the run row stays
the outbox (published after commit, republished by the maintenance task if that fails)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.connectors.hosted_forms import FormField, definition_problems, file_fields, form_fields
from apps.connectors.models import FormSubmission
from apps.core.errors import DomainError
from apps.files.errors import FilesError
from apps.files.services import file_save, files_attach_to_run
from apps.flows.models import Flow
from apps.flows.nodes.registry import load_builtin_nodes
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_enqueue


@dataclass
class HostedForm:
    flow: Flow
    node_id: str
    parameters: dict
    fields: list[FormField]

    @property
    def title(self) -> str:
        return str(self.parameters.get("title") or self.flow.name)


def hosted_form_get(*, token: str) -> HostedForm | None:
    """The form of the switched-on, published flow at `token`, or None (also when the form's definition is broken)."""
    if not token or len(token) > 64:
        return None
    flow = Flow.objects.select_related("published_version").filter(webhook_token=token, active=True).first()
    if flow is None or flow.published_version is None:
        return None
    registry = load_builtin_nodes()
    node = next((n for n in flow.published_version.graph.get("nodes", []) if registry.trigger_kind_of(n) == "form"), None)
    if node is None:
        return None
    parameters = node.get("parameters") or {}
    if definition_problems(parameters):
        return None
    return HostedForm(flow=flow, node_id=str(node.get("id")), parameters=parameters, fields=form_fields(parameters))


def _visitor(ip: str | None) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"form-visitor:{ip or '?'}".encode(), hashlib.sha256).hexdigest()


def _check_rate(form: HostedForm, visitor: str) -> None:
    since = timezone.now() - dt.timedelta(seconds=settings.EZFLOW_FORM_WINDOW_SECONDS)
    recent = FormSubmission.objects.filter(flow_id=form.flow.pk, created_at__gte=since)
    minutes = max(1, settings.EZFLOW_FORM_WINDOW_SECONDS // 60)
    if recent.filter(visitor=visitor).count() >= settings.EZFLOW_FORM_PER_VISITOR:
        raise DomainError(
            _("You sent this form many times in a short while. Please wait %(minutes)s minutes and try again.") % {"minutes": minutes},
            code="rate_limited",
            status=429,
        )
    if recent.count() >= settings.EZFLOW_FORM_PER_FORM:
        raise DomainError(
            _("This form is receiving too many answers right now. Please try again in %(minutes)s minutes.") % {"minutes": minutes},
            code="rate_limited",
            status=429,
        )


def form_submission_create(*, form: HostedForm, answers: dict, ip: str | None, files: dict | None = None) -> Run:
    """Starts the flow with one item: the answers by field name, plus `submitted_at` (UTC, ISO 8601). `files` (field
    name → an uploaded file, already checked against the field's size and types) are stored in the organization's file
    store and reach the flow as file references ({"$file", "name", "mime_type", "size"}; None for a file field left
    empty), deleted with the run."""
    visitor = _visitor(ip)
    item = {**answers, "submitted_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")}
    with transaction.atomic():
        # One visitor's submissions are counted under a lock of the flow's row, so parallel posts cannot all pass.
        Flow.objects.select_for_update().filter(pk=form.flow.pk).values_list("pk", flat=True).first()
        _check_rate(form, visitor)
        refs = []
        for field in file_fields(form.fields):
            upload = (files or {}).get(field.key)
            if upload is None:
                item[field.key] = None
                continue
            try:
                ref = file_save(data=upload, name=upload.name, mime_type=upload.content_type, flow_id=form.flow.pk)
            except FilesError as refused:
                raise DomainError(
                    _("The file “%(name)s” could not be kept: %(reason)s") % {"name": upload.name, "reason": refused.message},
                    code=refused.code,
                    status=refused.status,
                ) from None
            item[field.key] = ref
            refs.append(ref)
        run = run_create(flow=form.flow, trigger=Run.Trigger.WEBHOOK, items=[item])
        files_attach_to_run(refs=refs, run_id=run.pk)
        FormSubmission.objects.create(flow_id=form.flow.pk, run_id=run.pk, visitor=visitor)
        run_enqueue(run)
    return run
