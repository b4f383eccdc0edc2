"""Client and CLI tests that need no Précis server (a stand-in servicer plays the transport)."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from precis_news import cli
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc
from precis_news.client import (
    ERROR_CLASSES,
    AsyncPrecisClient,
    Cancelled,
    DeadlineExceeded,
    InternalError,
    InvalidArgument,
    NotFound,
    PrecisClient,
    PrecisError,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    retry_after_from_status,
)

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "127.0.0.1:1"


# -- a stand-in server: the real transport, canned answers ------------------------------------


def _busy_status(seconds: int, nanos: int) -> status_pb2.Status:
    detail = any_pb2.Any()
    detail.Pack(
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=seconds, nanos=nanos))
    )
    return status_pb2.Status(
        code=code_pb2.RESOURCE_EXHAUSTED, message="queue full", details=[detail]
    )


class _StandIn(precis_pb2_grpc.SummarizerServicer):
    """Answers from fixed data; "busy" as text sheds load with RetryInfo like the real server."""

    def __init__(self) -> None:
        self.metadata: list[dict[str, str]] = []
        self.requests: list[pb.SummarizeRequest] = []

    def _response(self, request: pb.SummarizeRequest) -> pb.SummarizeResponse:
        return pb.SummarizeResponse(
            detected_language="en",
            language_confidence=0.9,
            summaries=[
                pb.Summary(language="en", text="Short.", model="distilbart"),
                pb.Summary(language="fr", text="Court.", model="opus-en-fr", translated_from="en"),
            ],
            metadata=pb.SummarizeMetadata(chunks=3, truncated=True, truncated_characters=42),
        )

    def Summarize(self, request, context):
        self.metadata.append(dict(context.invocation_metadata()))
        self.requests.append(request)
        if request.text == "busy":
            context.abort_with_status(rpc_status.to_status(_busy_status(1, 500_000_000)))
        return self._response(request)

    def StreamSummarize(self, request, context):
        response = self._response(request)
        for summary in response.summaries:
            yield pb.SummarizeStreamResponse(detected_language="en", summary=summary)
        if request.text == "fail midway":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "no such language: xx")
        yield pb.SummarizeStreamResponse(detected_language="en", metadata=response.metadata)

    def DetectLanguage(self, request, context):
        return pb.DetectLanguageResponse(language="uk", confidence=0.75)


def _start(servicer: _StandIn, port: int = 0) -> tuple[grpc.Server, int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    precis_pb2_grpc.add_SummarizerServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set("precis.v1.Summarizer", health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, port


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[str, _StandIn]]:
    servicer = _StandIn()
    server, port = _start(servicer)
    yield f"127.0.0.1:{port}", servicer
    server.stop(None)


# -- imports ----------------------------------------------------------------------------------


def test_client_and_cli_do_not_import_torch() -> None:
    code = (
        "import sys, precis_news.client, precis_news.cli\n"
        "precis_news.cli.build_parser().parse_args(['summarize', '-', '--to', 'fr'])\n"
        "heavy = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('torch', 'transformers', 'ctranslate2') or n.startswith('precis_news.models'))\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, InvalidArgument),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, ResourceExhausted),
        (grpc.StatusCode.UNAVAILABLE, Unavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, DeadlineExceeded),
        (grpc.StatusCode.CANCELLED, Cancelled),
        (grpc.StatusCode.UNAUTHENTICATED, Unauthenticated),
        (grpc.StatusCode.NOT_FOUND, NotFound),
        (grpc.StatusCode.INTERNAL, InternalError),
    ],
)
def test_error_table_covers_every_code_the_server_uses(
    code: grpc.StatusCode, cls: type[PrecisError]
) -> None:
    assert ERROR_CLASSES[code] is cls
    assert issubclass(cls, PrecisError)


def test_error_classes_are_distinct() -> None:
    assert len(set(ERROR_CLASSES.values())) == len(ERROR_CLASSES)


def test_retry_after_from_a_rich_status() -> None:
    assert retry_after_from_status(_busy_status(2, 250_000_000)) == pytest.approx(2.25)
    # Through the wire format the server uses (grpc_status.to_status -> trailing metadata).
    trailer = dict(rpc_status.to_status(_busy_status(0, 100_000_000)).trailing_metadata)
    parsed = status_pb2.Status.FromString(trailer["grpc-status-details-bin"])
    assert retry_after_from_status(parsed) == pytest.approx(0.1)


def test_retry_after_is_none_without_retry_info() -> None:
    bad_request = any_pb2.Any()
    bad_request.Pack(error_details_pb2.BadRequest())
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, details=[bad_request])
    assert retry_after_from_status(status) is None
    assert retry_after_from_status(None) is None


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
    servicer = _StandIn()
    started: list[grpc.Server] = []
    timer = threading.Timer(0.5, lambda: started.append(_start(servicer, port)[0]))
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


# -- CLI --------------------------------------------------------------------------------------


def test_cli_parses_target_languages() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["summarize", "a.txt", "--to", "fr,uk"])
    assert args.targets == ["fr", "uk"]
    assert args.func is cli._run_summarize
    args = parser.parse_args(["summarize", "-", "--to", "FR", "--to", " uk, ru ", "--from", "en"])
    assert args.targets == ["fr", "uk", "ru"] and args.source_language == "en"
    args = parser.parse_args(["summarize", "-"])
    assert args.targets is None and args.length is None and args.source_language is None
    args = parser.parse_args(["translate", "a", "b", "--to", "uk"])
    assert args.texts == ["a", "b"] and args.target == "uk"


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "a", "--to", "fr,uk"],
        ["summarize", "-", "--to", ","],
        ["summarize", "-", "--length", "huge"],
        ["summarize", "-", "--max-tokens", "0"],
        ["info", "--timeout", "0"],
    ],
)
def test_cli_rejects_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.build_parser().parse_args(argv)
    assert caught.value.code == 2


def test_cli_server_defaults_to_environment(monkeypatch) -> None:
    monkeypatch.setenv("PRECIS_SERVER", "dns:///precis:50051")
    args = cli.build_parser().parse_args(["info"])
    with cli._client(args) as client:
        assert client.target == "dns:///precis:50051"
    args = cli.build_parser().parse_args(["info", "--server", "h:1"])
    with cli._client(args) as client:
        assert client.target == "h:1"


@pytest.mark.parametrize(
    "argv",
    [
        ["health"],
        ["info"],
        ["detect", "bonjour"],
        ["translate", "hello", "--to", "fr"],
    ],
)
def test_cli_against_unreachable_server(argv: list[str], capsys) -> None:
    assert cli.main([*argv, "--server", UNREACHABLE, "--timeout", "0.5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(("precis: UNAVAILABLE: ", "precis: DEADLINE_EXCEEDED: "))
    assert "Traceback" not in err


def test_cli_summarize_unreachable_in_subprocess(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Some news.", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "precis_news.cli", "summarize", str(article), "--to", "fr,uk",
         "--server", UNREACHABLE, "--timeout", "0.5"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(("precis: UNAVAILABLE: ", "precis: DEADLINE_EXCEEDED: "))


def test_cli_missing_file(capsys) -> None:
    assert cli.main(["summarize", "/no/such/article.txt"]) == 2
    assert capsys.readouterr().err.startswith("precis: cannot read /no/such/article.txt")


def test_cli_prints_summaries_and_warns_on_truncation(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--to", "en,fr", "--server", target]) == 0
    out, err = capsys.readouterr()
    assert out == "[en] (summarized by distilbart)\nShort.\n\n" \
        "[fr] (translated from en by opus-en-fr)\nCourt.\n"  # fmt: skip
    assert "truncated: 42 characters" in err


def test_cli_json_keeps_proto_field_names(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--json", "--server", target]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["detected_language"] == "en"
    assert data["summaries"][1]["translated_from"] == "en"
    assert data["summaries"][0]["translated_from"] == ""  # defaults are printed too


def test_cli_stream_json_is_one_object_per_line(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--stream", "--json", "--server", target]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [next(iter(set(json.loads(line)) & {"summary", "metadata"})) for line in lines] == [
        "summary",
        "summary",
        "metadata",
    ]


def test_cli_health_exit_codes(stand_in, capsys) -> None:
    target, _ = stand_in
    assert cli.main(["health", "--server", target]) == 0
    assert cli.main(["health", "--service", "precis.v1.Summarizer", "--server", target]) == 1
    assert capsys.readouterr().out.split() == ["SERVING", "NOT_SERVING"]


def test_cli_reports_retry_after(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("busy"))
    assert cli.main(["summarize", "-", "--server", target]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "precis: RESOURCE_EXHAUSTED: queue full",
        "precis: retry after 1.5 s",
    ]
