"""The OpenAPI document against the proto: every annotated route, every field of every message."""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor

from precis_news.server.http.openapi import REQUIRED, document
from precis_news.server.http.routes import SERVICE, routes

EXPECTED = {
    "Summarize": ("POST", "/v1/summarize"),
    "StreamSummarize": ("POST", "/v1/summarize:stream"),
    "Translate": ("POST", "/v1/translate"),
    "DetectLanguage": ("POST", "/v1/detect"),
    "GetInfo": ("GET", "/v1/info"),
}


def messages(message: Descriptor, seen: dict[str, Descriptor]) -> dict[str, Descriptor]:
    """`message` and every message reachable from its fields."""
    if message.full_name not in seen:
        seen[message.full_name] = message
        for field in message.fields:
            if field.message_type is not None:
                messages(field.message_type, seen)
    return seen


def test_every_rpc_has_its_route() -> None:
    assert {r.name: (r.verb, r.path) for r in routes()} == EXPECTED
    assert {m.name for m in SERVICE.methods} == set(EXPECTED)


def test_every_route_is_in_the_document_with_its_messages() -> None:
    doc = document()
    for route in routes():
        operation = doc["paths"][route.path][route.verb.lower()]
        assert operation["operationId"] == route.name
        ok = operation["responses"]["200"]["content"]
        kind = "text/event-stream" if route.streams else "application/json"
        assert ok[kind]["schema"]["$ref"].endswith("/" + route.method.output_type.full_name)
        if route.verb == "POST":
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert body["$ref"].endswith("/" + route.method.input_type.full_name)
        assert operation["responses"]["default"]["content"]["application/json"]


def test_every_field_of_every_message_is_in_the_document() -> None:
    schemas = document()["components"]["schemas"]
    seen: dict[str, Descriptor] = {}
    for route in routes():
        messages(route.method.input_type, seen)
        messages(route.method.output_type, seen)
    assert len(seen) >= 15
    for name, message in seen.items():
        properties = schemas[name]["properties"]
        assert set(properties) == {f.json_name for f in message.fields}, name
        for field in message.fields:
            schema = properties[field.json_name]
            if field.is_repeated:
                assert schema["type"] == "array", (name, field.name)


def test_enums_are_listed_by_name() -> None:
    length = document()["components"]["schemas"]["precis.v1.Length"]
    assert length["enum"] == ["LENGTH_UNSPECIFIED", "LENGTH_SHORT", "LENGTH_MEDIUM", "LENGTH_LONG"]


def test_every_route_has_a_transport_free_method() -> None:
    from precis_news.server.methods import HANDLERS, Methods

    for route in routes():
        assert callable(route.handler), route.name
        assert route.handler is HANDLERS[route.name]
        assert route.handler.__qualname__.startswith(f"{Methods.__name__}."), route.name


def test_required_fields_are_real_fields_and_bodies_with_them_are_required() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    for name, rules in REQUIRED.items():
        schema = schemas[name]
        named = set(rules.get("required", ())) | {
            field for choice in rules.get("anyOf", ()) for field in choice["required"]
        }
        assert named and named <= set(schema["properties"]), name
    for route in routes():
        if route.body:
            operation = doc["paths"][route.path][route.verb.lower()]
            assert operation["requestBody"]["required"] is True, route.path
    summarize = schemas["precis.v1.SummarizeRequest"]
    assert summarize["properties"]["text"]["pattern"] == "\\S"  # white space alone is empty
    assert summarize["properties"]["targetLanguages"]["items"]["enum"] == ["en", "fr", "uk", "ru"]
