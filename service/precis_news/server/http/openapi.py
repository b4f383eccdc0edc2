"""The OpenAPI 3 document of the JSON routes, built from the proto descriptors at runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from precis_models import languages
from precis_news import __version__
from precis_news.server.http.routes import routes

OPENAPI_VERSION = "3.0.3"
STATUS_SCHEMA = "google.rpc.Status"
_SCALARS: dict[int, dict[str, str]] = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    # proto3 JSON writes 64-bit integers as strings
    FieldDescriptor.TYPE_INT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte"},
}


# What a request must hold to be served (the server answers 400 without it), by message: proto3
# has no `required`, so the document says it here. JSON names, as the document's properties.
_NOT_BLANK = {"pattern": "\\S"}  # a string with something other than white space in it
REQUIRED: Mapping[str, Mapping[str, Any]] = {
    "precis.v1.SummarizeRequest": {
        "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
        "properties": {"text": _NOT_BLANK, "html": _NOT_BLANK},
    },
    "precis.v1.TranslateRequest": {
        "required": ["texts", "targetLanguage"],
        "properties": {"texts": {"minItems": 1}},
    },
    "precis.v1.DetectLanguageRequest": {
        "required": ["text"],
        "properties": {"text": _NOT_BLANK},
    },
}
# Fields that name a served language: the document lists the languages.
LANGUAGE_FIELDS = {
    "precis.v1.SummarizeRequest": ("targetLanguages",),
    "precis.v1.TranslateRequest": ("targetLanguage",),
}


def _constrain(name: str, schema: dict[str, Any]) -> None:
    """Add REQUIRED's and LANGUAGE_FIELDS' constraints to the schema of message `name`."""
    rules = dict(REQUIRED.get(name, {}))
    properties = schema["properties"]
    for field, extra in rules.pop("properties", {}).items():
        properties[field].update(extra)
    for field in LANGUAGE_FIELDS.get(name, ()):
        target = properties[field].get("items", properties[field])
        target["enum"] = list(languages.codes())
    schema.update(rules)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _enum(enum: EnumDescriptor) -> dict[str, Any]:
    # proto3 JSON writes enum names and reads names or numbers
    return {"type": "string", "enum": [v.name for v in enum.values]}


def _field(field: FieldDescriptor, schemas: dict[str, Any]) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        _message(field.message_type, schemas)
        one: dict[str, Any] = _ref(field.message_type.full_name)
    elif field.type == FieldDescriptor.TYPE_ENUM:
        schemas.setdefault(field.enum_type.full_name, _enum(field.enum_type))
        one = _ref(field.enum_type.full_name)
    else:
        one = dict(_SCALARS[field.type])
    if field.is_repeated:
        return {"type": "array", "items": one}
    return one


def _message(message: Descriptor, schemas: dict[str, Any]) -> None:
    """Add `message` (and the messages and enums it uses) to `schemas`, by full name."""
    if message.full_name in schemas:
        return
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    schemas[message.full_name] = schema
    for field in message.fields:
        schema["properties"][field.json_name] = _field(field, schemas)
    _constrain(message.full_name, schema)


def _status_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "google.rpc.Status: code is the numeric gRPC code",
        "properties": {
            "code": {"type": "integer", "format": "int32"},
            "message": {"type": "string"},
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"@type": {"type": "string"}},
                    "additionalProperties": True,
                },
            },
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(STATUS_SCHEMA)}},
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3 document: every annotated route with its request and response schemas."""
    schemas: dict[str, Any] = {STATUS_SCHEMA: _status_schema()}
    paths: dict[str, Any] = {}
    for route in routes():
        _message(route.method.input_type, schemas)
        _message(route.method.output_type, schemas)
        output = _ref(route.method.output_type.full_name)
        if route.streams:
            ok = {
                "description": "Server-Sent Events: one `data:` line of JSON per message "
                "(metadata last); a failure after the first event is an `event: error` whose "
                "data is a google.rpc.Status",
                "content": {"text/event-stream": {"schema": output}},
            }
        else:
            ok = {"description": "OK", "content": {"application/json": {"schema": output}}}
        operation: dict[str, Any] = {
            "operationId": route.name,
            "summary": f"precis.v1.Summarizer/{route.name}",
            "responses": {"200": ok, "default": _error("an error (HTTP status by gRPC code)")},
        }
        if route.body:
            operation["requestBody"] = {
                "required": route.method.input_type.full_name in REQUIRED,
                "content": {
                    "application/json": {"schema": _ref(route.method.input_type.full_name)}
                },
            }
        paths.setdefault(route.path, {})[route.verb.lower()] = operation
    paths["/healthz"] = {"get": _probe("Live: the process answers")}
    paths["/readyz"] = {"get": _probe("Ready: models loaded and not draining (else 503)")}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Précis", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        # Only when the server has API keys; the probes and this document never need one.
        "security": [{"apiKey": []}, {}],
    }


def _probe(description: str) -> dict[str, Any]:
    return {
        "operationId": description.split(":")[0],
        "security": [],
        "responses": {
            "200": {"description": description},
            "503": _error("not ready (loading or draining)"),
        },
    }
