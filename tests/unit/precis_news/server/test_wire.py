"""Protobuf <-> domain: length names from the proto's enum, and mappings that miss no field."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pytest
from google.protobuf.message import Message

from precis_models.catalog import DEFAULT_LENGTHS
from precis_news._proto import precis_pb2 as pb
from precis_news.pipeline import Detection, Metadata, Summary, Translation
from precis_news.server import wire


def test_length_names_come_from_the_proto_enum() -> None:
    assert wire.LENGTH_NAMES[pb.LENGTH_UNSPECIFIED] == "medium"
    assert [wire.LENGTH_NAMES[v] for v in (pb.LENGTH_SHORT, pb.LENGTH_MEDIUM, pb.LENGTH_LONG)] == [
        "short",
        "medium",
        "long",
    ]
    assert set(wire.LENGTH_NAMES.values()) == set(DEFAULT_LENGTHS)  # the presets' names


@pytest.mark.parametrize(
    ("length", "name"),
    [(pb.LENGTH_SHORT, "short"), (pb.LENGTH_UNSPECIFIED, "medium"), (9, "enum value 9")],
)
def test_summarize_job(length: int, name: str) -> None:
    request = pb.SummarizeRequest(text="t", title="T", target_languages=["fr"], length=length)  # type: ignore[arg-type]
    job = wire.summarize_job(request)
    assert (job.text, job.title, job.targets, job.length) == ("t", "T", ("fr",), name)
    assert (job.min_tokens, job.max_tokens) == (None, None)
    request.min_tokens, request.max_tokens = 0, 5
    assert (wire.summarize_job(request).min_tokens, wire.summarize_job(request).max_tokens) == (
        0,
        5,
    )


def _filled(cls: type) -> Any:
    """An instance of a domain dataclass with every field set to something not its default
    (lists hold one filled item of their type)."""
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for i, f in enumerate(dataclasses.fields(cls), start=1):
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        if kind.startswith("list["):
            (item,) = typing.get_args(hints[f.name])
            values[f.name] = [f"{f.name}-item" if item is str else _filled(item)]
        elif kind == "bool":
            values[f.name] = True
        elif kind == "int":
            values[f.name] = i
        elif kind == "float":
            values[f.name] = i + 0.5
        else:
            values[f.name] = f"{f.name}-value"
    return cls(**values)


def _assert_complete(domain: Any, message: Message) -> None:
    """Every field of the proto message is filled, from the domain field of its name."""
    proto_fields = {f.name for f in message.DESCRIPTOR.fields}
    assert proto_fields == {f.name for f in dataclasses.fields(domain)}
    for name in proto_fields:
        value = getattr(message, name)
        expected = getattr(domain, name)
        if isinstance(expected, list):
            assert len(value) == len(expected) > 0
            for inner, item in zip(value, expected, strict=True):
                if isinstance(item, str):
                    assert inner == item, name
                else:
                    _assert_complete(item, inner)
        else:
            assert value == pytest.approx(expected), name


def test_metadata_maps_every_field_both_ways() -> None:
    meta = _filled(Metadata)
    _assert_complete(meta, wire.metadata(meta))


@pytest.mark.parametrize(
    ("cls", "convert"),
    [
        (Summary, wire.summary),
        (Translation, lambda t: wire.translate_response(Detection("en", 1.0), [t]).translations[0]),
    ],
)
def test_results_map_every_field_both_ways(cls: type, convert: Any) -> None:
    result = _filled(cls)
    _assert_complete(result, convert(result))


def test_stream_events_carry_the_detection() -> None:
    detection = Detection("fr", 0.75)
    event = wire.stream_event(detection, Summary("en", "s", "m"))
    assert (event.detected_language, event.language_confidence, event.WhichOneof("event")) == (
        "fr",
        0.75,
        "summary",
    )
    assert wire.stream_event(detection, Metadata(chunks=2)).metadata.chunks == 2


def test_a_request_priority_joins_the_transports_caller() -> None:
    from precis_models.scheduling import Caller, Priority

    transport = Caller("key:0123456789", deadline=12.5)
    batch = wire.summarize_job(
        pb.SummarizeRequest(text="t", priority=pb.PRIORITY_BATCH), caller=transport
    )
    assert batch.caller == Caller("key:0123456789", Priority.BATCH, 12.5)
    unset = wire.summarize_job(pb.SummarizeRequest(text="t"), caller=transport)
    assert unset.caller.priority is Priority.INTERACTIVE
    assert wire.with_priority(transport, 99).priority is Priority.INTERACTIVE  # a newer value
