"""The call guard over real channels: unparseable bytes, capped echoes, key-less stream floods."""

from __future__ import annotations

import logging
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from precis_news._proto import precis_pb2 as pb
from precis_news.client import InvalidArgument, Unauthenticated
from precis_news.server.status import MAX_MESSAGE_CHARS
from precis_news.settings import read_api_keys
from tests.support import ServerThread, article, report, tiny_settings

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


def test_oversized_request_id_is_replaced(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        call = channel.unary_unary(
            "/precis.v1.Summarizer/GetInfo",
            request_serializer=pb.GetInfoRequest.SerializeToString,
            response_deserializer=pb.GetInfoResponse.FromString,
        )
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
