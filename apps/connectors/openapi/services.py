"""Importing an OpenAPI/Swagger document as an organization connector, and removing one.

The API, the page and tests call these; the document is read by `parse` (pure Python). A document is imported whole
or not at all: what could not be used is listed with the version, and a document with no usable operation is refused
with those reasons."""

from __future__ import annotations

import httpx2
from django.db import transaction
from django.utils.translation import gettext as _

from apps.connectors.models import ApiConnector, ApiConnectorVersion
from apps.connectors.openapi import parse
from apps.connectors.openapi.text import reason_text, skipped_list
from apps.core.errors import DomainError
from apps.flows.http.guard import guard_error, guarded_client

MAX_NAME = 100
MAX_VERSIONS = 20  # older imports of a connector are removed beyond this many
FETCH_TIMEOUT_SECONDS = 20.0


class ImportRefused(DomainError):
    code = "spec_invalid"
    status = 400


def _refused(error: parse.SpecError, field: str) -> ImportRefused:
    return ImportRefused(reason_text({"template": error.template, "values": error.values}), code=error.code, field=field)


def spec_fetch(*, url: str, allow_hosts=()) -> str:
    """The document at `url`, through the SSRF guard, at most MAX_SPEC_BYTES; redirects are not followed."""
    if not url.lower().startswith(("http://", "https://")):
        raise ImportRefused(_("The address must start with http:// or https://."), code="bad_url", field="url")
    try:
        with (
            guarded_client(allow_hosts=allow_hosts, timeout=FETCH_TIMEOUT_SECONDS) as client,
            client.stream("GET", url, headers={"Accept": "application/json, application/yaml, text/yaml, */*"}) as response,
        ):
            if response.status_code >= 400 or response.is_redirect:
                raise ImportRefused(
                    _("The address answered %(status)s instead of the document.") % {"status": response.status_code},
                    code="fetch_failed",
                    field="url",
                )
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > parse.MAX_SPEC_BYTES:
                    raise _refused(parse.too_large(), "url")
                chunks.append(chunk)
    except httpx2.HTTPError as exc:
        refused = guard_error(exc)
        message = _(refused.template) % refused.values if refused else str(exc)[:300]
        raise ImportRefused(
            _("The document could not be fetched: %(reason)s") % {"reason": message}, code="fetch_failed", field="url"
        ) from None
    return b"".join(chunks).decode("utf-8-sig", "replace")


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ImportRefused(_("Give the connector a name."), code="required", field="name")
    if len(name) > MAX_NAME or "\x00" in name:
        raise ImportRefused(_("The name may have at most %(limit)s characters.") % {"limit": MAX_NAME}, code="invalid", field="name")
    return name


def connector_import(*, user, name: str, spec_text: str = "", url: str = "", allow_hosts=(), base_url: str = "") -> ApiConnectorVersion:
    """A new connector, or a new version of the connector of that name (with what changed since the last one).
    `base_url` (with `spec_text`): the address the document came from, for its relative servers (a marketplace install
    passes the shared one; nothing is fetched)."""
    name = _clean_name(name)
    if bool(spec_text) == bool(url):
        raise ImportRefused(_("Give either the document (spec) or the address to fetch it from (url)."), code="required", field="spec")
    field = "url" if url else "spec"
    if url:
        spec_text = spec_fetch(url=url, allow_hosts=allow_hosts)
    try:
        spec = parse.read_spec(parse.load_text(spec_text), source_url=url or base_url)
    except parse.SpecError as error:
        raise _refused(error, field) from None
    if not spec.operations:
        raise ImportRefused(
            _("The document has no operation that can be used, so nothing was imported.")
            if spec.skipped
            else _("The document describes no operations (its “paths” are empty), so nothing was imported."),
            code="no_operations",
            field=field,
            extra={"skipped": skipped_list(spec.skipped)},
        )
    with transaction.atomic():
        connector, _created = ApiConnector.objects.select_for_update().get_or_create(name=name, defaults={"created_by": user})
        previous = connector.versions.order_by("-number").first()
        version = ApiConnectorVersion.objects.create(
            connector=connector,
            number=(previous.number + 1) if previous else 1,
            spec_text=spec_text,
            source_url=(url or base_url)[:2000],
            spec_version=spec.version[:40],
            title=spec.title,
            api_version=spec.api_version,
            servers=spec.servers,
            security_schemes=spec.security_schemes,
            operations=spec.operations,
            skipped=spec.skipped,
            diff=parse.operations_diff(previous.operations, spec.operations) if previous else {},
            created_by=user,
        )
        stale = list(connector.versions.order_by("-number").values_list("pk", flat=True)[MAX_VERSIONS:])
        if stale:
            ApiConnectorVersion.objects.filter(pk__in=stale).delete()
        connector.save(update_fields=["updated_at"])
    return version


def connector_delete(*, connector: ApiConnector) -> None:
    connector.delete()
