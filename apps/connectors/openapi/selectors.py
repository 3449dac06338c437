"""Reads of imported API connectors (the organization's schema is the connection's)."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from apps.connectors.models import ApiConnector, ApiConnectorVersion


def connector_list() -> QuerySet[ApiConnector]:
    return ApiConnector.objects.annotate(latest_number=Max("versions__number")).order_by("name")


def connector_versions(*, connector: ApiConnector) -> QuerySet[ApiConnectorVersion]:
    return connector.versions.order_by("-number")


def connector_latest(*, connector: ApiConnector) -> ApiConnectorVersion | None:
    return connector_versions(connector=connector).first()


def connector_operation(*, connector_id, operation_id: str) -> tuple[ApiConnectorVersion, dict] | None:
    """The latest version of the connector and its operation `operation_id`; None if either is gone."""
    version = (
        ApiConnectorVersion.objects.filter(connector_id=connector_id).order_by("-number").first() if str(connector_id).isdecimal() else None
    )
    operation = version.operation(str(operation_id)) if version else None
    return (version, operation) if operation else None
