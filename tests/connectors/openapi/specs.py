"""Small documents written for these tests: one per shape the importer must understand."""

import json

import yaml

# data.go.kr / odcloud style: Swagger 2.0, serviceKey in the query, Korean summaries.
PUBLIC_DATA_SWAGGER2 = {
    "swagger": "2.0",
    "info": {"title": "미세먼지 정보", "version": "1.0"},
    "host": "api.odcloud.kr",
    "basePath": "/api",
    "schemes": ["https"],
    "securityDefinitions": {"serviceKey": {"type": "apiKey", "in": "query", "name": "serviceKey"}},
    "security": [{"serviceKey": []}],
    "tags": [{"name": "대기질", "description": "측정소별 실시간 측정정보"}],
    "paths": {
        "/15073855/v1/stations": {
            "get": {
                "tags": ["대기질"],
                "operationId": "getStations",
                "summary": "측정소 목록 조회",
                "parameters": [
                    {"name": "page", "in": "query", "type": "integer", "default": 1, "description": "페이지 번호"},
                    {"name": "perPage", "in": "query", "type": "integer", "default": 10},
                    {"name": "returnType", "in": "query", "type": "string", "enum": ["JSON", "XML"], "default": "JSON"},
                ],
                "responses": {"200": {"description": "OK"}},
            }
        },
        "/15073855/v1/stations/{stationName}": {
            "parameters": [{"$ref": "#/parameters/stationName"}],
            "post": {
                "tags": ["대기질"],
                "operationId": "reportStation",
                "consumes": ["application/json"],
                "parameters": [
                    {"name": "X-Trace", "in": "header", "type": "string"},
                    {"name": "body", "in": "body", "required": True, "schema": {"$ref": "#/definitions/Report"}},
                ],
                "responses": {"200": {"description": "OK"}},
            },
            "put": {
                "operationId": "uploadPhoto",
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "photo", "in": "formData", "type": "file", "required": True},
                    {"name": "caption", "in": "formData", "type": "string"},
                ],
                "responses": {"200": {"description": "OK"}},
            },
        },
    },
    "parameters": {"stationName": {"name": "stationName", "in": "path", "required": True, "type": "string", "description": "측정소 이름"}},
    "definitions": {
        "Report": {
            "allOf": [
                {"$ref": "#/definitions/Base"},
                {
                    "type": "object",
                    "required": ["pm10"],
                    "properties": {"pm10": {"type": "integer"}, "grade": {"type": "string", "enum": ["좋음", "나쁨"]}},
                },
            ]
        },
        "Base": {"type": "object", "required": ["observedAt"], "properties": {"observedAt": {"type": "string", "format": "date-time"}}},
    },
}

# OpenAPI 3.0: components, a request body by reference, a recursive schema, bearer and basic, servers with variables.
PETS_OAS30 = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "2.1"},
    "servers": [{"url": "https://{region}.pets.example/v1", "variables": {"region": {"default": "kr", "enum": ["kr", "us"]}}}],
    "components": {
        "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"},
            "login": {"type": "http", "scheme": "basic"},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://id.example/.well-known/openid-configuration"},
        },
        "parameters": {"PetId": {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}},
        "requestBodies": {"Pet": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "The pet's name"},
                    "kind": {"type": "string", "enum": ["cat", "dog"], "default": "cat"},
                    "parent": {"$ref": "#/components/schemas/Pet"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    },
    "security": [{"token": []}, {"login": []}],
    "paths": {
        "/pets": {
            "get": {
                "tags": ["pets"],
                "operationId": "listPets",
                "summary": "List pets",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}}],
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "tags": ["pets"],
                "operationId": "createPet",
                "requestBody": {"$ref": "#/components/requestBodies/Pet"},
                "responses": {"201": {"description": "ok"}},
            },
        },
        "/pets/{petId}": {
            "parameters": [{"$ref": "#/components/parameters/PetId"}],
            "get": {"tags": ["pets"], "operationId": "getPet", "security": [], "responses": {"200": {"description": "ok"}}},
            "delete": {
                "tags": ["pets"],
                "operationId": "deletePet",
                "security": [{"oidc": []}],
                "responses": {"204": {"description": "ok"}},
            },
            "patch": {
                "operationId": "patchPet",
                "parameters": [{"$ref": "other.yaml#/components/parameters/Version"}],
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/pets/{petId}/notes": {
            "post": {
                "operationId": "addNote",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"type": "object", "properties": {"text": {"type": "string"}, "pinned": {"type": "boolean"}}}
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}

# OpenAPI 3.1: JSON Schema types with null, an API key in a header, OAuth2 authorization code, path-level servers.
NOTES_OAS31 = {
    "openapi": "3.1.0",
    "info": {"title": "Notes", "version": "2024-05-01"},
    "servers": [{"url": "https://notes.example/api"}],
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Notes-Key"},
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://notes.example/oauth/authorize",
                        "tokenUrl": "https://notes.example/oauth/token",
                        "scopes": {"notes:read": "read", "notes:write": "write"},
                    }
                },
            },
            "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        }
    },
    "security": [{"key": []}, {"oauth": ["notes:read"]}],
    "paths": {
        "/notes": {
            "servers": [{"url": "https://eu.notes.example/api"}],
            "get": {
                "operationId": "searchNotes",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": ["string", "null"]}},
                    {"name": "labels", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["work", "home"]}}},
                ],
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/session": {"get": {"operationId": "whoAmI", "security": [{"cookie": []}], "responses": {"200": {"description": "ok"}}}},
    },
    "webhooks": {"noteCreated": {"post": {"responses": {"200": {"description": "ok"}}}}},
}


def as_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False)


def as_yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
