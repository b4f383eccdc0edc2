"""The call guard over real channels: unparseable bytes, capped echoes, key-less stream floods."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from precis_news._proto import precis_pb2 as pb
from precis_news.client import DeadlineExceeded, InvalidArgument, Unauthenticated
from precis_news.server.status import MAX_MESSAGE_CHARS
from precis_news.settings import read_api_keys
from tests.support import ServerThread, article, full_call_budget, report, tiny_settings

KEY = "secret-key"
METHODS = ("Summarize", "StreamSummarize", "Translate", "DetectLanguage", "GetInfo")
# Bytes that are no message at all, and a message whose string field (text, 1) is not UTF-8.
NOT_A_MESSAGE = b"\xff\xff\xff\xff\xff\xff\xff"
BAD_UTF8 = b"\x0a\x03\xff\xfe\xc3"


def raw_call(
    channel: grpc.Channel, method: str, payload: bytes, *, stream: bool = False, key: str = ""
) -> grpc.RpcError:
    """Send raw bytes (identity serializers) and return the error the server answered with."""
    path = method if method.startswith("/") else f"/precis.v1.Summarizer/{method}"
    metadata = (("authorization", f"Bearer {key}"),) if key else ()
    try:
        if stream:
            list(channel.unary_stream(path)(payload, timeout=30, metadata=metadata))
        else:
            channel.unary_unary(path)(payload, timeout=30, metadata=metadata)
    except grpc.RpcError as error:
        return error
    raise AssertionError(f"{method} accepted {payload!r}")


def requests_counted(server: ServerThread, method: str, code: str) -> float:
    value = server.server.metrics.registry.get_sample_value(
        "precis_requests_total", {"method": method, "code": code}
    )
    return value or 0.0


@pytest.mark.parametrize(
    ("method", "payload"),
    [(m, NOT_A_MESSAGE) for m in METHODS]
    # GetInfoRequest has no fields: any well-formed bytes are a valid (empty) request.
    + [(m, BAD_UTF8) for m in METHODS if m != "GetInfo"],
)
def test_unparseable_request_is_invalid_argument(
    server: ServerThread, method: str, payload: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = requests_counted(server, method, "INVALID_ARGUMENT")
    with grpc.insecure_channel(server.address) as channel:
        error = raw_call(channel, method, payload, stream=method == "StreamSummarize")
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("the request is not a valid precis.v1.")
    assert "class" not in error.details() and "DecodeError" not in error.details()
    assert requests_counted(server, method, "INVALID_ARGUMENT") == before + 1
    lines = [r for r in caplog.records if "unparseable" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].exc_info is None and len(lines[0].getMessage()) < 300


def test_health_and_reflection_pass_the_guard_and_are_counted(server: ServerThread) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    label = "grpc.health.v1.Health/Check"
    before = requests_counted(server, label, "NOT_FOUND")
    with grpc.insecure_channel(server.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = list(
            reflection.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10
            )
        )
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    assert requests_counted(server, label, "NOT_FOUND") == before + 1
    names = {s.name for s in replies[0].list_services_response.service}
    assert "precis.v1.Summarizer" in names
    assert (
        requests_counted(
            server, "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "OK"
        )
        >= 1
    )


def test_unparseable_health_check_is_invalid_argument(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        error = raw_call(channel, "/grpc.health.v1.Health/Check", NOT_A_MESSAGE)
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "grpc.health.v1.HealthCheckRequest" in error.details()


def test_unparseable_bytes_without_a_key_are_unauthenticated(strict_server: ServerThread) -> None:
    """The key is checked before the bytes matter: a key-less caller learns nothing more."""
    with grpc.insecure_channel(strict_server.address) as channel:
        error = raw_call(channel, "Summarize", NOT_A_MESSAGE)
        assert error.code() is grpc.StatusCode.UNAUTHENTICATED
        keyed = raw_call(channel, "Summarize", NOT_A_MESSAGE, key=KEY)
        assert keyed.code() is grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("size", [6_000, 100_000])
def test_huge_language_code_is_invalid_argument_with_a_capped_message(
    server: ServerThread, size: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Not a transport RESOURCE_EXHAUSTED from oversized trailers, not a 100 KB log line."""
    caplog.set_level(logging.INFO)
    code = "x" * size
    with server.client() as client:
        with pytest.raises(InvalidArgument) as caught:
            client.summarize(article("en"), targets=[code])
        with pytest.raises(InvalidArgument) as translated:
            client.translate(["Hello."], target="en", source_language=code)
    for error in (caught.value, translated.value):
        assert error.code is grpc.StatusCode.INVALID_ARGUMENT
        assert "unsupported language 'xxxx" in error.details
        assert f"({size} characters)" in error.details
        assert len(error.details) <= MAX_MESSAGE_CHARS
    assert max(len(r.getMessage()) for r in caplog.records) <= MAX_MESSAGE_CHARS + 100


def get_info(channel: grpc.Channel) -> grpc.UnaryUnaryMultiCallable:
    return channel.unary_unary(
        "/precis.v1.Summarizer/GetInfo",
        request_serializer=pb.GetInfoRequest.SerializeToString,
        response_deserializer=pb.GetInfoResponse.FromString,
    )


def test_oversized_request_id_is_replaced(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        call = get_info(channel)
        _, outcome = call.with_call(pb.GetInfoRequest(), metadata=(("x-request-id", "r" * 4000),))
        _, plain = call.with_call(pb.GetInfoRequest(), metadata=(("x-request-id", "req-1"),))
    echoed = dict(outcome.trailing_metadata())["x-request-id"]
    assert len(echoed) == 32 and echoed != "r" * 32
    assert dict(plain.trailing_metadata())["x-request-id"] == "req-1"


def test_watch_flood_without_a_key_leaves_calls_and_checks_answering(
    strict_server: ServerThread,
) -> None:
    """300 idle key-less Watch streams on one connection: the ones past max_open_streams are
    refused at once; an authenticated Summarize and a health Check still answer."""
    settings = strict_server.server.settings
    request = health_pb2.HealthCheckRequest(service="")
    opened = refused = 0
    streams = []
    with grpc.insecure_channel(strict_server.address) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch
        try:
            for _ in range(300):
                stream = watch(request, timeout=60)
                streams.append(stream)
                try:
                    first = next(stream)
                    assert first.status == health_pb2.HealthCheckResponse.SERVING
                    opened += 1
                except grpc.RpcError as error:
                    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
                    refused += 1
            with strict_server.client(api_key=KEY) as client:
                result = client.summarize(article("en"), targets=["en"])
                assert result.summaries[0].text
                assert client.health() == "SERVING"
        finally:
            for stream in streams:
                stream.cancel()
    report(f"watch flood: 300 key-less Watch streams -> {opened} open, {refused} refused")
    assert opened == settings.max_open_streams
    assert refused == 300 - settings.max_open_streams


def test_unauthenticated_calls_are_counted_and_keys_never_logged(
    strict_server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = requests_counted(strict_server, "Summarize", "UNAUTHENTICATED")
    for key in (None, "wrong-key"):
        with (
            strict_server.client(api_key=key) as client,
            pytest.raises(Unauthenticated, match="missing or wrong API key"),
        ):
            client.summarize("A short article. It has two sentences.")
    with strict_server.client(api_key=KEY) as client:
        assert client.info().languages
    assert requests_counted(strict_server, "Summarize", "UNAUTHENTICATED") == before + 2
    assert requests_counted(strict_server, "GetInfo", "OK") >= 1
    assert KEY not in caplog.text and "wrong-key" not in caplog.text


def test_api_keys_from_a_file(model_dir: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# rotated 2026-11\nfile-key-1\n\n  file-key-2  \n", encoding="utf-8")
    settings = tiny_settings(model_dir, api_keys_file=keys, api_keys="inline-key")
    assert read_api_keys(settings) == ("inline-key", "file-key-1", "file-key-2")
    running = ServerThread(settings)  # not loaded: keys are checked before readiness
    try:
        for key, expected in (("file-key-2", "UNAVAILABLE"), ("nope", "UNAUTHENTICATED")):
            with running.client(api_key=key, timeout=10) as client:
                with pytest.raises(Exception) as caught:
                    client.info()
                assert caught.value.code.name == expected  # type: ignore[attr-defined]
    finally:
        running.close()


def test_unreadable_api_keys_file_is_a_clear_error(model_dir: Path, tmp_path: Path) -> None:
    settings = tiny_settings(model_dir, api_keys_file=tmp_path / "missing")
    with pytest.raises(ValueError, match=r"api_keys_file .*missing: No such file"):
        read_api_keys(settings)


def test_request_over_the_message_size_limit_is_resource_exhausted(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        call = channel.unary_unary(
            "/precis.v1.Summarizer/Summarize",
            request_serializer=pb.SummarizeRequest.SerializeToString,
        )
        with pytest.raises(grpc.RpcError) as caught:
            call(pb.SummarizeRequest(text="x" * (5 * 2**20)), timeout=30)
    assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_calls_past_the_budget_get_retry_info_while_checks_answer(model_dir: Path) -> None:
    """With max_concurrent_rpcs=2, a burst of 16 Summarize calls: those past the budget are
    refused at once with RetryInfo, and health Checks made during the burst all answer."""
    from concurrent.futures import ThreadPoolExecutor

    from precis_news.client import ResourceExhausted

    running = ServerThread(tiny_settings(model_dir, max_concurrent_rpcs=2, cache_bytes=0)).load()
    outcomes: list[str] = []
    try:

        def summarize(_: int) -> None:
            with running.client() as client:
                try:
                    client.summarize(article("en"), targets=["en", "fr", "uk", "ru"])
                    outcomes.append("OK")
                except ResourceExhausted as error:
                    assert error.retry_after == 1.0
                    assert error.details == "the server has 2 calls in progress; retry shortly"
                    outcomes.append("RESOURCE_EXHAUSTED")

        with ThreadPoolExecutor(16) as pool, running.client() as prober:
            burst = [pool.submit(summarize, i) for i in range(16)]
            checks = [prober.health(timeout=10) for _ in range(10)]
            for call in burst:
                call.result(120)
        with running.client() as client:
            assert client.summarize(article("en")).summaries[0].text  # serves right after
    finally:
        running.close()
    report(f"call budget 2, 16 calls at once: {sorted(outcomes)}; 10 checks: {set(checks)}")
    assert checks == ["SERVING"] * 10
    assert "RESOURCE_EXHAUSTED" in outcomes and "OK" in outcomes
    assert len(outcomes) == 16


def test_a_call_past_a_full_budget_is_refused_from_its_headers(
    strict_server: ServerThread,
) -> None:
    """With every call slot taken, an authenticated Summarize that sends its headers and never
    its message is refused at once, RESOURCE_EXHAUSTED with RetryInfo and counted: the message
    is never waited for or read."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    summarize = "/precis.v1.Summarizer/Summarize"
    before = requests_counted(strict_server, "Summarize", "RESOURCE_EXHAUSTED")

    async def half_open() -> tuple[grpc.aio.AioRpcError, float]:
        async with grpc.aio.insecure_channel(strict_server.address) as channel:
            started = time.perf_counter()
            call = channel.stream_unary(summarize)(
                metadata=(("authorization", f"Bearer {KEY}"),), timeout=30
            )
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await call
            return refused.value, time.perf_counter() - started

    with full_call_budget(strict_server):
        error, seconds = asyncio.run(half_open())
    report(f"full call budget: a half-open Summarize refused in {seconds * 1000:.0f} ms")
    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.details() == "the server has 256 calls in progress; retry shortly"
    status = rpc_status.from_call(error)
    assert status is not None
    retry = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(retry) and retry.retry_delay.seconds == 1
    assert seconds < 5  # not the read timeout: nothing waited for the message
    assert requests_counted(strict_server, "Summarize", "RESOURCE_EXHAUSTED") == before + 1
    with strict_server.client(api_key=KEY) as client:  # the budget given back: served
        assert client.summarize(article("en"), targets=["en"]).summaries[0].text


async def _half_open(
    address: str, paths: list[str], *, metadata: tuple[tuple[str, str], ...] = ()
) -> list[grpc.StatusCode]:
    """Open one call per path that sends its headers and never its message (nor half-closes),
    on 4 connections at once; return the code each got (None for one still unanswered 15 s on)."""
    channels = [grpc.aio.insecure_channel(address) for _ in range(4)]
    try:
        calls = [
            channels[i % 4].stream_unary(path)(metadata=metadata, timeout=60)
            for i, path in enumerate(paths)
        ]

        async def code(call: Any) -> grpc.StatusCode:
            try:
                await call
            except grpc.aio.AioRpcError as error:
                return error.code()
            return grpc.StatusCode.OK

        done = await asyncio.wait_for(asyncio.gather(*(code(c) for c in calls)), 15)
        return list(done)
    finally:
        for channel in channels:
            await channel.close()


def test_thousands_of_half_open_keyless_calls_are_refused_at_once(
    strict_server: ServerThread,
) -> None:
    """2,000 key-less calls that send headers and never a message (precis.v1 methods and junk
    names): each is answered UNAUTHENTICATED without waiting for the message, and counted under
    a bounded label; health Check and an authenticated Summarize answer meanwhile."""
    paths = [
        "/precis.v1.Summarizer/Summarize",
        "/precis.v1.Summarizer/StreamSummarize",
        "/precis.v1.Summarizer/NoSuchMethod",
        "/junk.Service/Method",
    ] * 500
    before = {
        label: requests_counted(strict_server, label, "UNAUTHENTICATED")
        for label in ("Summarize", "StreamSummarize", "unknown")
    }
    with ThreadPoolExecutor(1) as pool:
        codes_future = pool.submit(asyncio.run, _half_open(strict_server.address, paths))
        with strict_server.client(api_key=KEY) as client:
            assert client.health() == "SERVING"
            assert client.summarize(article("en"), targets=["en"]).summaries[0].text
        codes = codes_future.result(60)
    report(f"half-open key-less calls: {len(codes)} -> {Counter(c.name for c in codes)}")
    assert codes == [grpc.StatusCode.UNAUTHENTICATED] * len(paths)
    after = {label: requests_counted(strict_server, label, "UNAUTHENTICATED") for label in before}
    assert after["Summarize"] - before["Summarize"] == 500
    assert after["StreamSummarize"] - before["StreamSummarize"] == 500
    assert after["unknown"] - before["unknown"] == 1000


def test_half_open_admitted_calls_have_their_own_budget_and_a_read_timeout(
    model_dir: Path,
) -> None:
    """2,000 key-less half-open health Checks and 200 authenticated half-open Summarize calls:
    at most max_unread_calls wait (until read_timeout_seconds: DEADLINE_EXCEEDED), the others
    get a quarter second for their message, then RESOURCE_EXHAUSTED; a probe's Check and an
    authenticated Summarize answer meanwhile; every outcome is counted under the caller's code."""
    running = ServerThread(
        tiny_settings(model_dir, api_keys=KEY, max_unread_calls=8, read_timeout_seconds=2.0)
    ).load()
    check, summarize = "/grpc.health.v1.Health/Check", "/precis.v1.Summarizer/Summarize"
    try:
        with ThreadPoolExecutor(2) as pool:
            probes = pool.submit(asyncio.run, _half_open(running.address, [check] * 2000))
            keyed = pool.submit(
                asyncio.run,
                _half_open(
                    running.address,
                    [summarize] * 200,
                    metadata=(("authorization", f"Bearer {KEY}"),),
                ),
            )
            with running.client(api_key=KEY) as client:
                answered = [client.health(timeout=10) for _ in range(5)]
                assert client.summarize(article("en"), targets=["en"]).summaries[0].text
            codes = {
                "grpc.health.v1.Health/Check": probes.result(60),
                "Summarize": keyed.result(60),
            }
        for label, seen in codes.items():
            tally = Counter(seen)
            report(
                f"half-open {label}: {len(seen)} -> {dict((c.name, n) for c, n in tally.items())}"
            )
            assert set(tally) <= {
                grpc.StatusCode.DEADLINE_EXCEEDED,
                grpc.StatusCode.RESOURCE_EXHAUSTED,
            }
            for code, n in tally.items():
                assert requests_counted(running, label, code.name) == n
        timed_out = sum(c is grpc.StatusCode.DEADLINE_EXCEEDED for v in codes.values() for c in v)
        assert timed_out >= 8
        assert answered == ["SERVING"] * 5
    finally:
        running.close()


def test_two_authorization_headers_are_refused(strict_server: ServerThread) -> None:
    """Wrong-then-right, right-then-wrong and right twice: ambiguous, so UNAUTHENTICATED."""
    with grpc.insecure_channel(strict_server.address) as channel:
        call = get_info(channel)
        right, wrong = ("authorization", f"Bearer {KEY}"), ("authorization", "Bearer nope")
        assert call(pb.GetInfoRequest(), metadata=(right,), timeout=10).languages
        for headers in ((wrong, right), (right, wrong), (right, right)):
            with pytest.raises(grpc.RpcError) as caught:
                call(pb.GetInfoRequest(), metadata=headers, timeout=10)
            assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
            assert caught.value.details() == (
                "2 authorization headers; send exactly one (Bearer <key>)"
            )


def test_junk_method_names_share_one_label(strict_server: ServerThread) -> None:
    """3,000 key-less calls to distinct made-up methods add no series: one `unknown` label."""
    registry = strict_server.server.metrics.registry
    series = len(next(iter(registry.collect())).samples)
    before = requests_counted(strict_server, "unknown", "UNAUTHENTICATED")
    paths = [f"/precis.v1.Summarizer/Junk{i}" for i in range(1500)]
    paths += [f"/x{i}.Y/Z{i}" for i in range(1500)]
    codes = asyncio.run(_half_open(strict_server.address, paths))
    assert set(codes) == {grpc.StatusCode.UNAUTHENTICATED}
    assert requests_counted(strict_server, "unknown", "UNAUTHENTICATED") == before + 3000
    assert len(next(iter(registry.collect())).samples) <= series + 2  # the unknown series, once


def test_unknown_method_without_keys_is_unimplemented_and_counted(server: ServerThread) -> None:
    before = requests_counted(server, "unknown", "UNIMPLEMENTED")
    with grpc.insecure_channel(server.address) as channel:
        error = raw_call(channel, "/precis.v1.Summarizer/NoSuchMethod", b"")
    assert error.code() is grpc.StatusCode.UNIMPLEMENTED
    assert requests_counted(server, "unknown", "UNIMPLEMENTED") == before + 1


def test_a_call_whose_deadline_passes_is_counted_deadline_exceeded(
    strict_server: ServerThread,
) -> None:
    """While its message is awaited (the guard counts it) and while it is served (the
    servicer does): DEADLINE_EXCEEDED, as the caller saw, not CANCELLED."""
    summarize = "/precis.v1.Summarizer/Summarize"
    before = requests_counted(strict_server, "Summarize", "DEADLINE_EXCEEDED")
    cancelled = requests_counted(strict_server, "Summarize", "CANCELLED")

    async def half_open_with_deadline() -> grpc.StatusCode:
        async with grpc.aio.insecure_channel(strict_server.address) as channel:
            call = channel.stream_unary(summarize)(
                metadata=(("authorization", f"Bearer {KEY}"),), timeout=0.5
            )
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call
            return caught.value.code()

    assert asyncio.run(half_open_with_deadline()) is grpc.StatusCode.DEADLINE_EXCEEDED
    models = strict_server.server.models
    assert models is not None
    engine = models.summarizer.engine
    generate = engine.generate_outputs

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.5)
        return generate(*args, **kwargs)

    engine.generate_outputs = slow  # type: ignore[method-assign]
    try:
        with (
            strict_server.client(api_key=KEY, timeout=0.5) as client,
            pytest.raises(DeadlineExceeded),
        ):
            client.summarize(article("en") + " Deadline.", targets=["en"])
    finally:
        time.sleep(1.5)  # the model call in flight ends
        engine.generate_outputs = generate  # type: ignore[method-assign]
    assert requests_counted(strict_server, "Summarize", "DEADLINE_EXCEEDED") == before + 2
    assert requests_counted(strict_server, "Summarize", "CANCELLED") == cancelled
