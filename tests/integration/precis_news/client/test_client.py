"""The Python clients against a stand-in servicer on the real transport: errors, options."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import grpc
import pytest

import precis_news
from precis_models.batching import QueueFull
from precis_news._proto import precis_pb2 as pb
from precis_news.client import (
    AsyncPrecisClient,
    InvalidArgument,
    NotFound,
    PrecisClient,
    PrecisError,
    ResourceExhausted,
    Unavailable,
)
from precis_news.pipeline import errors
from precis_news.server.status import to_status
from tests.support import (
    StandIn,
    free_port,
    start_stand_in,
)

# Every exception the server maps to a status (server/status.py), and the two statuses raised
# outside that table: a missing/wrong API key (server.py) and an unknown health service.
_SERVER_FAILURES: list[BaseException] = [
    errors.BadRequest("bad"),
    errors.TooLarge("big"),
    errors.NotReady("loading"),
    QueueFull("tiny-bart", retry_after=1.0),
    asyncio.CancelledError(),
    TimeoutError(),
    RuntimeError("boom"),
]
_SERVER_CODES = sorted(
    {to_status(exc).code for exc in _SERVER_FAILURES}
    | {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND},
    key=lambda code: code.name,
)


@pytest.mark.parametrize("code", _SERVER_CODES, ids=lambda code: code.name)
def test_every_status_the_server_sends_raises_its_own_typed_error(
    stand_in: tuple[str, StandIn], code: grpc.StatusCode
) -> None:
    """Over the real transport, sync and async: the class is specific, exported, and named for
    its code; the code and message arrive intact."""
    target, _ = stand_in
    with PrecisClient(target=target, timeout=5) as client, pytest.raises(PrecisError) as caught:
        client.detect_language(f"abort:{code.name}")

    async def async_error() -> PrecisError:
        async with AsyncPrecisClient(target=target, timeout=5) as aclient:
            with pytest.raises(PrecisError) as acaught:
                await aclient.detect_language(f"abort:{code.name}")
        return acaught.value

    for error in (caught.value, asyncio.run(async_error())):
        assert type(error) is not PrecisError, f"{code.name} has no typed error"
        assert error.code is code and error.details == f"stand-in {code.name}"
        assert getattr(precis_news, type(error).__name__) is type(error)  # importable from root
        assert code.name.replace("_", "").lower() in type(error).__name__.lower()


def test_a_status_outside_the_table_is_a_plain_precis_error(stand_in: tuple[str, StandIn]) -> None:
    target, _ = stand_in
    with PrecisClient(target=target, timeout=5) as client, pytest.raises(PrecisError) as caught:
        client.detect_language("abort:DATA_LOSS")
    assert type(caught.value) is PrecisError
    assert caught.value.code is grpc.StatusCode.DATA_LOSS


def test_sync_client_raises_typed_error_with_retry_after(stand_in) -> None:
    target, servicer = stand_in
    client = PrecisClient(target=target, api_key="secret", timeout=5)
    with client, pytest.raises(ResourceExhausted) as caught:
        client.summarize("busy", targets="fr")
    assert caught.value.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert caught.value.details == "queue full"
    assert caught.value.retry_after == pytest.approx(1.5)
    assert servicer.metadata[-1]["authorization"] == "Bearer secret"
    assert list(servicer.requests[-1].target_languages) == ["fr"]


async def test_async_client_raises_typed_error_with_retry_after(stand_in) -> None:
    target, _ = stand_in
    async with AsyncPrecisClient(target=target, timeout=5) as client:
        with pytest.raises(ResourceExhausted) as caught:
            await client.summarize("busy")
    assert caught.value.retry_after == pytest.approx(1.5)


def test_sync_stream_maps_errors_midway(stand_in) -> None:
    target, _ = stand_in
    with PrecisClient(target=target, timeout=5) as client:
        received = []
        with pytest.raises(InvalidArgument, match="no such language"):
            for message in client.stream_summarize("fail midway", targets=["en", "fr"]):
                received.append(message.summary.language)
    assert received == ["en", "fr"]


async def test_async_client_round_trip(stand_in) -> None:
    target, _ = stand_in
    async with AsyncPrecisClient(target=target, timeout=5) as client:
        kinds = [m.WhichOneof("event") async for m in client.stream_summarize("article")]
        assert kinds == ["summary", "summary", "metadata"]
        assert (await client.detect_language("Привіт")).language == "uk"
        assert await client.health() == "SERVING"
        assert await client.health("precis.v1.Summarizer") == "NOT_SERVING"
        with pytest.raises(NotFound):
            await client.health("no.such.Service")


def test_request_options_reach_the_server(stand_in) -> None:
    target, servicer = stand_in
    with PrecisClient(target=target, timeout=5) as client:
        client.summarize("article", length="short", max_tokens=40, source_language="en")
        request = servicer.requests[-1]
        assert request.length == pb.LENGTH_SHORT
        assert request.max_tokens == 40 and not request.HasField("min_tokens")
        assert request.source_language == "en"
        with pytest.raises(ValueError, match="length"):
            client.summarize("article", length="huge")  # type: ignore[arg-type]


def test_calls_wait_for_a_server_that_starts_late() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    servicer = StandIn()
    started: list[grpc.Server] = []
    timer = threading.Timer(0.5, lambda: started.append(start_stand_in(servicer, port)[0]))
    timer.start()
    try:
        with PrecisClient(target=f"127.0.0.1:{port}", timeout=10) as client:
            began = time.monotonic()
            assert client.detect_language("x").language == "uk"
            assert time.monotonic() - began >= 0.3
    finally:
        timer.join()
        for server in started:
            server.stop(None)


def test_client_rejects_half_mutual_tls() -> None:
    with pytest.raises(ValueError, match="mutual TLS"):
        PrecisClient(target="127.0.0.1:1", private_key=b"key")


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_without_wait_for_ready_a_closed_port_is_unavailable_not_a_deadline(flavour: str) -> None:
    """With wait_for_ready=False (what the CLI uses) a dead address fails with Unavailable, long
    before a generous deadline could pass."""
    target = f"127.0.0.1:{free_port()}"
    if flavour == "sync":
        client = PrecisClient(target=target, timeout=60, wait_for_ready=False)
        with client, pytest.raises(Unavailable) as caught:
            client.summarize("Some news.")
    else:

        async def call() -> None:
            async with AsyncPrecisClient(target=target, timeout=60, wait_for_ready=False) as c:
                await c.summarize("Some news.")

        with pytest.raises(Unavailable) as caught:
            asyncio.run(call())
    assert caught.value.code is grpc.StatusCode.UNAVAILABLE


def _first_call(flavour: str, target: str, **options: object) -> PrecisError:
    """The error of a first summarize with the API page snippet's defaults (timeout 60 s)."""
    if flavour == "sync":
        with PrecisClient(target=target, **options) as client, pytest.raises(PrecisError) as e:  # type: ignore[arg-type]
            client.summarize("Some news.", targets="fr")
        return e.value

    async def call() -> None:
        async with AsyncPrecisClient(target=target, **options) as client:  # type: ignore[arg-type]
            await client.summarize("Some news.", targets="fr")

    with pytest.raises(PrecisError) as caught:
        asyncio.run(call())
    return caught.value


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_readme_snippet_without_a_server_names_the_address(flavour: str) -> None:
    """The default client waits connect_timeout (5 s) for a first connection, not the 60 s
    deadline, and says where it looked, why, and what to start."""
    target = f"127.0.0.1:{free_port()}"
    error = _first_call(flavour, target)
    assert type(error) is Unavailable and not error.answered
    assert error.details.startswith(f"no server ready at {target} after 5 s (")
    assert "Connection refused" in error.details or "connect" in error.details
    assert "is `precis serve` running there?" in error.details


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_listener_that_is_not_grpc_ends_in_unavailable_not_the_deadline(flavour: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        target = f"127.0.0.1:{listener.getsockname()[1]}"
        error = _first_call(flavour, target, connect_timeout=2.0)
    assert type(error) is Unavailable
    assert error.details.startswith(f"no server ready at {target} after 2 s (")


def test_without_a_connect_timeout_the_call_waits_up_to_its_deadline() -> None:
    error = _first_call("sync", f"127.0.0.1:{free_port()}", timeout=1.0, connect_timeout=None)
    assert error.code is grpc.StatusCode.DEADLINE_EXCEEDED
