"""Pieces for describing the API exactly in its OpenAPI schema: JSON values by a JSON Schema component, JSON values
of a fixed shape, and DRF's page envelope. Generated clients and the fuzz test in the suite rely on it."""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

_JSON_SCHEMA_ONLY = ("$schema", "$id")


def openapi_schema(json_schema: dict) -> dict:
    """A JSON Schema (2020-12) as an OpenAPI 3.0 schema object: no `$schema`/`$id`, `const` spelled as `enum`."""

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            converted = {key: convert(item) for key, item in value.items() if key not in _JSON_SCHEMA_ONLY}
            if "const" in converted:
                converted["enum"] = [converted.pop("const")]
            return converted
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return convert(copy.deepcopy(json_schema))


class JSONSchemaField(serializers.JSONField):
    """Any JSON value in code (the service checks it); in the OpenAPI schema a `$ref` to the named component."""

    def __init__(self, *, component: str, json_schema: dict, **kwargs):
        self.component = component
        self.json_schema = json_schema
        super().__init__(**kwargs)


class JSONSchemaFieldExtension(OpenApiSerializerFieldExtension):
    target_class = JSONSchemaField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema=openapi_schema(field.json_schema),
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def described(schema: dict, field: type[serializers.Field] = serializers.JSONField, **kwargs) -> serializers.Field:
    """A `field` whose value the service checks (with its own translated messages), described by `schema` (an
    OpenAPI schema object) exactly as the service accepts it."""
    field_class = extend_schema_field(schema)(type(f"Described{field.__name__}", (field,), {}))
    return field_class(**kwargs)


def json_field(schema: dict, **kwargs) -> serializers.Field:
    return described(schema, serializers.JSONField, **kwargs)


ITEMS_SCHEMA = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


def paginated(name: str, item: serializers.BaseSerializer, **extra: serializers.Field) -> serializers.Serializer:
    """DRF's page envelope around a list of `item`."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item,
            **extra,
        },
    )


def require_one_of_bodies(result, generator, request, public):
    """drf-spectacular hook: a body that is one of several shapes cannot be left out (drf-spectacular only sees
    required properties, which such a body has per shape)."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            for media in (body or {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                if "oneOf" in schemas.get(ref.rsplit("/", 1)[-1], {}):
                    body["required"] = True
    return result
