"""Writes of AI modules: upload (checked in the limited process), new versions, choosing the active and the candidate
version, recording comparisons, trying a module on example items, installing a shared module."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.ai.models import AiModule, AiModuleComparison, AiModuleVersion
from apps.ai.modules import describe, remote
from apps.ai.modules.predict import Predictor
from apps.ai.modules.selectors import version_for_prediction
from apps.core.errors import DomainError, NotFound
from apps.flows.engine.errors import EngineError

COMPARISONS_KEPT = 2000  # per module; older rows are removed as new ones come


class ModuleRefused(DomainError):
    code = "module_invalid"
    status = 400


def refused(error: EngineError, field: str | None = None) -> ModuleRefused:
    """An engine error said in the reader's language, as the API's error."""
    message = _(error.template) % error.values if error.values else _(error.template)
    return ModuleRefused(message, code=error.code, field=field)


def _clean_name(name) -> str:
    name = str(name or "").strip()
    if not 1 <= len(name) <= 100:
        raise ModuleRefused(_("Give the module a name of 1 to 100 characters."), code="invalid", field="name")
    return name


def _description(raw) -> dict:
    if isinstance(raw, str):
        if not raw.strip():
            return {}
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ModuleRefused(_("The description is not valid JSON."), code="module_description", field="description") from None
    return raw


def _checked_onnx(model: bytes) -> tuple[dict, str]:
    limit = settings.EZFLOW_AI_MODULE_MAX_BYTES
    if not model:
        raise ModuleRefused(_("Choose an .onnx file."), code="required", field="file")
    if len(model) > limit:
        raise ModuleRefused(
            _("The model is larger than %(megabytes)s MB.") % {"megabytes": f"{limit / 1024 / 1024:g}"},
            code="module_too_large",
            field="file",
        )
    from apps.ai.modules.runner import Session

    try:
        with Session(warm=False) as session:
            signature = session.check(model)
    except EngineError as error:
        raise refused(error, "file") from None
    return signature, hashlib.sha256(model).hexdigest()


def _prepared(*, kind: str, description, model: bytes | None, endpoint) -> dict:
    raw = _description(description)
    if kind == AiModule.Kind.ONNX and endpoint and not model:
        raise ModuleRefused(_("This module runs an ONNX file: upload a file, not a model server."), code="module_kind", field="endpoint")
    if kind == AiModule.Kind.HTTP and model:
        raise ModuleRefused(_("This module calls a model server: give its address, not a file."), code="module_kind", field="file")
    if kind == AiModule.Kind.ONNX:
        signature, sha = _checked_onnx(model or b"")
        fields = {"model": model, "sha256": sha, "size": len(model), "endpoint": {}}
    elif kind == AiModule.Kind.HTTP:
        try:
            endpoint = remote.clean_endpoint(endpoint)
        except EngineError as error:
            raise refused(error, "endpoint") from None
        if isinstance(raw, dict) and (raw.get("input") == "image" or raw.get("image")):
            raise ModuleRefused(
                _("Modules on a model server take table rows or arrays, not pictures."), code="module_description", field="description"
            )
        signature = remote.signature_of(endpoint, raw)
        fields = {"model": None, "sha256": "", "size": 0, "endpoint": endpoint}
    else:
        raise ModuleRefused(_("The kind must be onnx or http."), code="invalid", field="kind")
    try:
        spec = describe.clean(raw, signature)
    except EngineError as error:
        raise refused(error, "description") from None
    return {**fields, "spec": spec, "signature": signature}


def _example(example) -> dict:
    if example in (None, ""):
        return {}
    if isinstance(example, str):
        try:
            example = json.loads(example)
        except ValueError:
            raise ModuleRefused(_("The example must be a JSON object (one item)."), code="invalid", field="example") from None
    if not isinstance(example, dict) or len(json.dumps(example)) > 20_000:
        raise ModuleRefused(_("The example must be a JSON object (one item) under 20,000 characters."), code="invalid", field="example")
    return example


def ai_module_create(
    *,
    user,
    name: str,
    kind: str,
    description=None,
    model: bytes | None = None,
    endpoint=None,
    summary: str = "",
    license: str = "",
    example=None,
    source: str = "",
) -> AiModuleVersion:
    name = _clean_name(name)
    prepared = _prepared(kind=kind, description=description, model=model, endpoint=endpoint)
    example = _example(example)
    try:
        with transaction.atomic():
            module = AiModule.objects.create(
                name=name, kind=kind, summary=str(summary or "")[:2000], license=str(license or "")[:100], active_version=1, source=source
            )
            return AiModuleVersion.objects.create(
                module=module, number=1, example=example, created_by_id=getattr(user, "pk", None), note=_("First version"), **prepared
            )
    except IntegrityError:
        raise ModuleRefused(
            _("A module named “%(name)s” exists already: add a version to it.") % {"name": name},
            code="module_exists",
            field="name",
            status=409,
        ) from None


def ai_module_version_add(
    *,
    module: AiModule,
    user,
    description=None,
    model: bytes | None = None,
    endpoint=None,
    note: str = "",
    example=None,
    activate: bool = False,
) -> AiModuleVersion:
    """A new version. The active one stays until the person switches (after comparing), unless `activate`."""
    prepared = _prepared(kind=module.kind, description=description, model=model, endpoint=endpoint)
    example = _example(example)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = AiModuleVersion.objects.filter(module=module).aggregate(n=Max("number"))["n"] or 0
                row = AiModuleVersion.objects.create(
                    module=module,
                    number=latest + 1,
                    example=example,
                    note=str(note or "")[:300],
                    created_by_id=getattr(user, "pk", None),
                    **prepared,
                )
                module.updated_at = timezone.now()
                fields = ["updated_at"]
                if activate or module.active_version is None:
                    module.active_version = row.number
                    fields.append("active_version")
                module.save(update_fields=fields)
                return row
        except IntegrityError:
            continue
    raise ModuleRefused(_("Another upload is adding a version; try again."), code="conflict", status=409)


def _existing(module: AiModule, number, field: str) -> int | None:
    if number in (None, ""):
        return None
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise ModuleRefused(_("Choose a version number."), code="invalid", field=field) from None
    if not AiModuleVersion.objects.filter(module=module, number=number).exists():
        raise ModuleRefused(_("The module has no version %(number)s.") % {"number": number}, code="module_version_missing", field=field)
    return number


UNSET = object()


def ai_module_update(
    *, module: AiModule, summary=UNSET, license=UNSET, active_version=UNSET, candidate_version=UNSET, candidate_share=UNSET
) -> AiModule:
    """Switching versions: `active_version` is what steps use; `candidate_version` with `candidate_share` (0-100 %)
    gets that share of items while both answers are recorded."""
    fields = ["updated_at"]
    if summary is not UNSET:
        module.summary = str(summary or "")[:2000]
        fields.append("summary")
    if license is not UNSET:
        module.license = str(license or "")[:100]
        fields.append("license")
    if active_version is not UNSET:
        number = _existing(module, active_version, "active_version")
        if number is None:
            raise ModuleRefused(_("Choose a version number."), code="invalid", field="active_version")
        module.active_version = number
        fields.append("active_version")
        if module.candidate_version == number:  # the candidate was adopted: the comparison is over
            module.candidate_version, module.candidate_share = None, 0
            fields += ["candidate_version", "candidate_share"]
    if candidate_version is not UNSET:
        module.candidate_version = _existing(module, candidate_version, "candidate_version")
        fields.append("candidate_version")
    if candidate_share is not UNSET:
        try:
            share = int(candidate_share or 0)
        except (TypeError, ValueError):
            share = -1
        if not 0 <= share <= 100:
            raise ModuleRefused(_("The share is a whole number from 0 to 100."), code="invalid", field="candidate_share")
        module.candidate_share = share
        fields.append("candidate_share")
    if module.candidate_version is not None and module.candidate_version == module.active_version:
        raise ModuleRefused(_("The candidate must be another version than the active one."), code="invalid", field="candidate_version")
    module.updated_at = timezone.now()
    module.save(update_fields=list(dict.fromkeys(fields)))
    return module


def ai_module_delete(*, module: AiModule) -> None:
    module.delete()


def comparisons_record(*, module_id: int, rows: list[dict], flow_id=None, run_id=None) -> None:
    if not rows:
        return
    AiModuleComparison.objects.bulk_create(AiModuleComparison(module_id=module_id, flow_id=flow_id, run_id=run_id, **row) for row in rows)
    keep = (
        AiModuleComparison.objects.filter(module_id=module_id)
        .order_by("-id")
        .values_list("id", flat=True)[COMPARISONS_KEPT : COMPARISONS_KEPT + 1]
    )
    if keep:
        AiModuleComparison.objects.filter(module_id=module_id, id__lte=keep[0]).delete()


def ai_module_try(*, module: AiModule, items: list, version: int | None = None, headers: dict | None = None) -> list[dict]:
    """The module's results for example items (the page's test form, the API), in a process that ends afterwards."""
    from apps.ai.modules.selectors import module_version
    from apps.connectors.http import HostContext
    from apps.flows.host import FlowHost

    if not isinstance(items, list) or not items or len(items) > 100 or not all(isinstance(i, dict) for i in items):
        raise ModuleRefused(_("Give 1 to 100 items (JSON objects)."), code="invalid", field="items")
    row = module_version(module=module, number=version)
    if row is None:
        raise NotFound(_("The module has no version %(number)s.") % {"number": version or "-"})
    context = HostContext(FlowHost(organization=connection.tenant), seconds=settings.EZFLOW_AI_MODULE_WALL_SECONDS)
    predictor = Predictor(context, warm=False, headers=headers)
    try:
        found = predictor.predict(version_for_prediction(row, module), list(enumerate(items)))
    except EngineError as error:
        raise refused(error) from None
    finally:
        predictor.close()
    return [{**result, "ms": ms} for result, ms in found]


def ai_module_install(*, user, name: str, shared: dict, source: str) -> AiModuleVersion:
    """A module shared on the marketplace, copied into this organization (checked again here, like an upload)."""
    return ai_module_create(
        user=user,
        name=name,
        kind=shared["kind"],
        description=shared["spec"],
        model=shared.get("model"),
        endpoint=shared.get("endpoint") or None,
        summary=shared.get("summary", ""),
        license=shared.get("license", ""),
        example=shared.get("example") or None,
        source=source,
    )
