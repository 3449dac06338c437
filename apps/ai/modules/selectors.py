"""Reads of the organization's AI modules (its schema)."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet

from apps.ai.models import AiModule, AiModuleComparison, AiModuleVersion
from apps.ai.modules.predict import Version


def module_list() -> QuerySet[AiModule]:
    return AiModule.objects.annotate(version_count=Count("versions")).order_by("name")


def module_versions(*, module: AiModule) -> QuerySet[AiModuleVersion]:
    return AiModuleVersion.objects.filter(module=module).defer("model").order_by("-number")


def module_find(reference) -> AiModule | None:
    """A module by id (a number) or by name."""
    text = str(reference or "").strip()
    if not text:
        return None
    if text.isdecimal():
        found = AiModule.objects.filter(pk=int(text)).first()
        if found is not None:
            return found
    return AiModule.objects.filter(name=text).first()


def module_version(*, module: AiModule, number: int | None) -> AiModuleVersion | None:
    number = number or module.active_version
    if number is None:
        return None
    return AiModuleVersion.objects.filter(module=module, number=number).defer("model").first()


def version_for_prediction(row: AiModuleVersion, module: AiModule) -> Version:
    pk = row.pk

    def model_bytes() -> bytes:
        return bytes(AiModuleVersion.objects.filter(pk=pk).values_list("model", flat=True).get())

    return Version(
        module=module.name,
        number=row.number,
        kind=module.kind,
        spec=row.spec,
        signature=row.signature,
        sha256=row.sha256,
        endpoint=row.endpoint,
        model_bytes=model_bytes,
    )


def comparison_summary(*, module: AiModule, candidate_version: int | None = None, recent: int = 20) -> dict:
    """How the candidate compares with the active version on the items both answered: agreement and latency."""
    rows = AiModuleComparison.objects.filter(module=module)
    if candidate_version is not None:
        rows = rows.filter(candidate_version=candidate_version)
    totals = rows.aggregate(
        items=Count("id"),
        agreed=Count("id", filter=Q(agree=True)),
        compared=Count("id", filter=Q(agree__isnull=False)),
        errors=Count("id", filter=~Q(error="")),
        active_ms=Avg("active_ms"),
        candidate_ms=Avg("candidate_ms"),
    )
    pairs = list(rows.values_list("active_version", "candidate_version").distinct())
    return {
        "items": totals["items"],
        "agreement": (totals["agreed"] / totals["compared"]) if totals["compared"] else None,
        "errors": totals["errors"],
        "active_ms": round(totals["active_ms"], 3) if totals["active_ms"] is not None else None,
        "candidate_ms": round(totals["candidate_ms"], 3) if totals["candidate_ms"] is not None else None,
        "pairs": [{"active": a, "candidate": c} for a, c in sorted(set(pairs))],
        "recent": list(rows.order_by("-created_at", "-id")[:recent]),
    }


def module_export(*, module: AiModule, number: int | None = None) -> dict:
    """One version with its bytes, for sharing (the marketplace copies it into the public schema)."""
    row = AiModuleVersion.objects.get(module=module, number=number or module.active_version)
    return {
        "name": module.name,
        "kind": module.kind,
        "summary": module.summary,
        "license": module.license,
        "number": row.number,
        "spec": row.spec,
        "signature": row.signature,
        "endpoint": row.endpoint,
        "example": row.example,
        "model": bytes(row.model) if row.model is not None else None,
        "sha256": row.sha256,
        "size": row.size,
    }


def module_inputs(spec: dict) -> list[str]:
    """The item fields a version reads, from its checked description: the features of a tabular module, the picture
    field of an image module, the fields holding each input's tensor."""
    mode = spec.get("input")
    if mode == "tabular":
        return [str(feature.get("field")) for feature in spec.get("features") or [] if isinstance(feature, dict)]
    if mode == "image":
        image = spec.get("image") or {}
        return [str(image.get("field"))] if image.get("field") else []
    return [str(field) for field in (spec.get("tensors") or {}).values()]


def module_choices() -> list[dict]:
    """The organization's modules for the editor's picker: name, kind, the version in use and every version with
    the item fields it reads and its labels (never the model's bytes)."""
    modules = list(module_list())
    versions: dict[int, list[dict]] = {}
    rows = AiModuleVersion.objects.filter(module__in=modules).only("module_id", "number", "spec", "note", "created_at").order_by("-number")
    for row in rows:
        spec = row.spec or {}
        versions.setdefault(row.module_id, []).append(
            {
                "number": row.number,
                "input": spec.get("input") or "",
                "inputs": module_inputs(spec),
                "labels": list(spec.get("labels") or [])[:20],
                "note": row.note,
                "created_at": row.created_at,
            }
        )
    return [
        {
            "id": module.pk,
            "name": module.name,
            "kind": module.kind,
            "summary": module.summary[:300],
            "active_version": module.active_version,
            "versions": versions.get(module.pk, []),
        }
        for module in modules
    ]
