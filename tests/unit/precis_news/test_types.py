"""The public types: every message and enum value of precis.v1, and nothing else."""

from __future__ import annotations

from precis_news import types
from precis_news._proto import precis_pb2 as pb


def test_every_message_of_the_proto_is_public() -> None:
    messages = set(pb.DESCRIPTOR.message_types_by_name)
    assert messages <= set(types.__all__), sorted(messages - set(types.__all__))
    for name in messages:
        assert getattr(types, name) is getattr(pb, name)


def test_every_length_value_is_public() -> None:
    values = set(pb.Length.keys())
    assert {"Length", *values} <= set(types.__all__)
    for name in values:
        assert getattr(types, name) == pb.Length.Value(name)


def test_all_lists_only_what_the_module_has() -> None:
    assert all(hasattr(types, name) for name in types.__all__)
    assert len(set(types.__all__)) == len(types.__all__)
