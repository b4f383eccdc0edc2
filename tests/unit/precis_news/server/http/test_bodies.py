"""Request bodies: compressed refused with 415, one spelling per field, parsing off the loop."""

from __future__ import annotations

import asyncio
import threading

import grpc
import pytest

from precis_news._proto import precis_pb2 as pb
from precis_news.server.http import bodies


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "GZIP", "identity, gzip"])
def test_compressed_bodies_are_415_naming_identity(encoding: str) -> None:
    status = bodies.encoding_refusal({"Content-Encoding": encoding})
    assert status is not None and status.http == 415
    assert status.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "identity" in status.message


@pytest.mark.parametrize("headers", [{}, {"Content-Encoding": "identity"}])
def test_uncompressed_bodies_pass(headers: dict[str, str]) -> None:
    assert bodies.encoding_refusal(headers) is None


def test_field_name_of_either_spelling() -> None:
    assert bodies.field_name("targetLanguages") == "target_languages"
    assert bodies.field_name("target_languages") == "target_languages"
    assert bodies.field_name("text") == "text"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            b'{"text": "a", "targetLanguages": ["fr"], "target_languages": ["uk"]}',
            "target_languages",
        ),
        (b'{"text": "a", "text": "b"}', "text"),
        (b'{"text": "a", "minTokens": 5, "min_tokens": 6}', "min_tokens"),
    ],
)
def test_a_field_given_twice_is_invalid_naming_it(body: bytes, field: str) -> None:
    with pytest.raises(bodies.BadBody) as info:
        bodies.parse(body, pb.SummarizeRequest())
    assert info.value.status.code is grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.status.field == field
    assert field in info.value.status.message


def test_either_spelling_alone_parses() -> None:
    for body in (
        b'{"text": "a", "targetLanguages": ["fr"]}',
        b'{"text": "a", "target_languages": ["fr"]}',
    ):
        assert list(bodies.parse(body, pb.SummarizeRequest()).target_languages) == ["fr"]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[" * 100_000, b'{"bogus": 1}'])
def test_not_the_message_is_invalid(body: bytes) -> None:
    with pytest.raises(bodies.BadBody) as info:
        bodies.parse(body, pb.SummarizeRequest())
    assert "precis.v1.SummarizeRequest" in info.value.status.message


def test_large_bodies_are_parsed_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads = []
    real = bodies.parse

    def spy(body: bytes, message: pb.SummarizeRequest) -> pb.SummarizeRequest:
        threads.append(threading.current_thread())
        return real(body, message)

    monkeypatch.setattr(bodies, "parse", spy)
    small = b'{"text": "a"}'
    large = b'{"text": "' + b"a" * (bodies.OFF_LOOP_BYTES + 1) + b'"}'

    async def both() -> None:
        await bodies.parse_off_loop(small, pb.SummarizeRequest())
        parsed = await bodies.parse_off_loop(large, pb.SummarizeRequest())
        assert len(parsed.text) == bodies.OFF_LOOP_BYTES + 1

    asyncio.run(both())
    assert threads[0] is threading.main_thread() and threads[1] is not threading.main_thread()
