"""Test helpers shared by every level: the project's articles, tiny model specs, real servers on
127.0.0.1:0, a stand-in servicer on the real transport, and the `precis` executable as a subprocess.
(The fixtures built from them are in conftest.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent import futures
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_status import rpc_status

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from precis_models.batching import BatchLimits
from precis_models.catalog import ModelSpec, load_catalog
from precis_models.engines.ctranslate2_engine import CTranslate2Engine
from precis_models.runtime import Runtime
from precis_models.scheduling import Slots
from precis_models.store import ctranslate2_path, transformers_path
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc
from precis_news.client import PrecisClient, PrecisError
from precis_news.server.app import PrecisServer
from precis_news.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


CORPUS = ROOT / "models" / "precis_models" / "corpus"


def article(language: str) -> str:
    """A news article in `language`, written for this project (models/precis_models/corpus)."""
    return (CORPUS / f"{language}.txt").read_text(encoding="utf-8")


def tiny_spec(name: str) -> ModelSpec:
    """The tiny profile's model called `name` in the catalog."""
    return next(s for s in load_catalog().profile("tiny").models if s.name == name)


def tiny_engine(model_dir: Path, name: str) -> CTranslate2Engine:
    """The tiny profile's model `name` as the server runs it (CTranslate2 int8)."""
    spec = tiny_spec(name)
    return CTranslate2Engine(
        ctranslate2_path(spec, model_dir),
        transformers_path(spec, model_dir),
        name=name,
        max_input_tokens=spec.max_input_tokens,
    )


class ServerThread:
    """A PrecisServer on its own event loop in a daemon thread, driven from sync tests."""

    def __init__(self, settings: Settings) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: PrecisServer = self.call(self._create(settings))
        self.port: int = self.call(self.server.start())
        self.address = f"127.0.0.1:{self.port}"
        self.http = f"http://127.0.0.1:{self.server.http_port}"  # the HTTP gateway

    @staticmethod
    async def _create(settings: Settings) -> PrecisServer:
        return PrecisServer(settings)

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 120) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, Any]) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def load(self) -> ServerThread:
        self.call(self.server.load())
        return self

    def client(self, **kwargs: Any) -> PrecisClient:
        kwargs.setdefault("timeout", 60.0)
        return PrecisClient(target=self.address, **kwargs)

    def close(self) -> None:
        self.call(self.server.stop(grace=1.0))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@contextmanager
def full_call_budget(running: ServerThread) -> Iterator[None]:
    """Every slot of the server's call budget taken while the block runs (as by calls in
    progress), given back after."""
    calls = running.server.guard.calls

    async def take_all() -> int:
        taken, calls.used = calls.used, calls.limit
        return taken

    async def give_back(taken: int) -> None:
        calls.used = taken

    taken = running.call(take_all())
    try:
        yield
    finally:
        running.call(give_back(taken))


@contextmanager
def models_busy(running: ServerThread) -> Iterator[None]:
    """Every machine slot of the server's models taken while the block runs (as by model calls
    in progress): a request waits at its first model, in progress, until the block ends (tiny
    models answer in milliseconds, too fast to catch a call mid-way otherwise)."""
    models = running.server.models
    assert models is not None
    slots = models.models[0].batcher._slots  # shared by all the models
    assert isinstance(slots, Slots)

    async def take() -> None:
        for _ in range(slots.count):
            await slots.acquire()

    async def give_back() -> None:
        for _ in range(slots.count):
            slots.release()

    running.call(take())
    try:
        yield
    finally:
        running.call(give_back())


def tiny_settings(model_dir: Path, **overrides: Any) -> Settings:
    values = {
        "profile": "tiny",
        "model_dir": model_dir,
        "host": "127.0.0.1",
        "port": 0,
        "http_port": 0,
        "threads": 2,
        **overrides,
    }
    return load_settings(env={}, overrides=values)


def cpu_runtime(**changes: Any) -> Runtime:
    """The server's default runtime on the CPU with one inference thread, with `changes`."""
    chosen = {"device": "cpu", "compute_type": "int8", "threads": 1, **changes}
    return dataclasses.replace(Settings().view(Runtime), **chosen)


def batch_limits(**changes: Any) -> BatchLimits:
    """The server's default batch limits (from Settings, where they live), with `changes`."""
    return dataclasses.replace(Settings().view(BatchLimits), **changes)


# Figures the hardening tests measure (calls, codes, latencies), printed in the terminal summary
# so that a reader sees them without -s.
FIGURES: list[str] = []


def report(line: str) -> None:
    """Record a measured figure for the terminal summary."""
    FIGURES.append(line)


# -- HTTP -------------------------------------------------------------------------------------


class HealthTimer:
    """Times a gRPC health Check every 20 ms in a thread while a block runs."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.seconds: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with grpc.insecure_channel(self.address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            stub.Check(health_pb2.HealthCheckRequest(), timeout=30)  # connected before timing
            while not self._stop.is_set():
                started = time.perf_counter()
                stub.Check(health_pb2.HealthCheckRequest(), timeout=30)
                self.seconds.append(time.perf_counter() - started)
                time.sleep(0.02)

    def __enter__(self) -> HealthTimer:
        self._thread.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    @property
    def worst(self) -> float:
        return max(self.seconds)


@dataclasses.dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_call(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> HttpAnswer:
    """One HTTP/1.1 request to `base` (http://host:port); `body` is sent as JSON unless bytes."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    sent = dict(headers or {})
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    if body is not None and not isinstance(body, bytes):
        sent.setdefault("Content-Type", "application/json")
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        return HttpAnswer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def sse_events(body: bytes) -> list[tuple[str, Any]]:
    """The (event name, JSON data) of each Server-Sent Event in `body`."""
    events = []
    for block in body.decode().split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        name = next((x[6:].strip() for x in lines if x.startswith("event:")), "message")
        data = "\n".join(x[5:].strip() for x in lines if x.startswith("data:"))
        events.append((name, json.loads(data)))
    return events


# -- errors -----------------------------------------------------------------------------------


def status_of(call: Callable[[], object]) -> PrecisError:
    """The PrecisError that `call` raises (the test fails if it raises none)."""
    with pytest.raises(PrecisError) as info:
        call()
    return info.value


# -- a stand-in server: the real transport, canned answers ------------------------------------


def busy_status(seconds: int, nanos: int) -> status_pb2.Status:
    detail = any_pb2.Any()
    detail.Pack(
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=seconds, nanos=nanos))
    )
    return status_pb2.Status(
        code=code_pb2.RESOURCE_EXHAUSTED, message="queue full", details=[detail]
    )


class StandIn(precis_pb2_grpc.SummarizerServicer):
    """Answers from fixed data; "busy" as text sheds load with RetryInfo like the real server."""

    def __init__(self) -> None:
        self.metadata: list[dict[str, str]] = []
        self.requests: list[pb.SummarizeRequest] = []
        self.translated: list[list[str]] = []

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
            context.abort_with_status(rpc_status.to_status(busy_status(1, 500_000_000)))
        return self._response(request)

    def StreamSummarize(self, request, context):
        response = self._response(request)
        for summary in response.summaries:
            yield pb.SummarizeStreamResponse(detected_language="en", summary=summary)
        if request.text == "fail midway":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "no such language: xx")
        yield pb.SummarizeStreamResponse(detected_language="en", metadata=response.metadata)

    def Translate(self, request, context):
        if request.target_language not in ("en", "fr", "uk", "ru"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "unsupported target_language")
        self.translated.append(list(request.texts))
        return pb.TranslateResponse(
            detected_language="en",
            translations=[
                pb.Translation(text=text.upper(), model="stand-in") for text in request.texts
            ],
        )

    def GetInfo(self, request, context):
        return pb.GetInfoResponse(
            profile="stand-in",
            limits=pb.Limits(max_article_chars=200_000, max_chunks=2, max_html_chars=2_000_000),
        )

    def DetectLanguage(self, request, context):
        if request.text.startswith("abort:"):  # "abort:NOT_FOUND" fails with that status code
            code = grpc.StatusCode[request.text.removeprefix("abort:")]
            context.abort(code, f"stand-in {code.name}")
        return pb.DetectLanguageResponse(language="uk", confidence=0.75)


def start_stand_in(servicer: StandIn, port: int = 0) -> tuple[grpc.Server, int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    precis_pb2_grpc.add_SummarizerServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set("precis.v1.Summarizer", health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, port


# -- the `precis` executable as a subprocess --------------------------------------------------


SERVING_TIMEOUT = 60.0  # seconds from `precis serve` to SERVING


def precis_command() -> list[str]:
    """The installed `precis` console script next to this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("precis")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "precis_news.cli"]


def precis_env(model_dir: Path) -> dict[str, str]:
    """This environment without PRECIS_* settings, offline, with `model_dir` as the store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRECIS_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_VERBOSITY="error",
        PYTHONUNBUFFERED="1",
        PRECIS_MODEL_DIR=str(model_dir),
        PRECIS_HTTP_PORT="0",  # tests run side by side: never the default port
    )
    return env


def _limit_files(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_precis(
    args: Sequence[str], env: dict[str, str], timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """Run `precis ARGS` to completion (killed after `timeout` seconds: the test fails)."""
    return subprocess.run(
        [*precis_command(), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def describe(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


class Served:
    """A `precis serve` process whose output goes to a log file (no pipe to fill up)."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, port: int, env: dict[str, str]):
        self.process = process
        self.log = log
        self.port = port
        self.env = env
        self.address = f"127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def health(self, timeout: float = 2.0) -> subprocess.CompletedProcess[str]:
        return run_precis(
            ["health", "--server", self.address, "--timeout", str(timeout)],
            self.env,
            timeout=timeout + 30,
        )

    def wait_serving(self, timeout: float = SERVING_TIMEOUT) -> None:
        """Poll `precis health` until it exits 0 (SERVING); fail if the server dies first."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"`precis serve` exited with {self.process.returncode} before SERVING:\n"
                    f"{self.output()}"
                )
            last = self.health(timeout=1.0)
            if last.returncode == 0:
                assert last.stdout.strip() == "SERVING", describe(last)
                return
            time.sleep(0.2)
        detail = describe(last) if last else "no health check ran"
        pytest.fail(f"not SERVING after {timeout:.0f} s: {detail}\nserver log:\n{self.output()}")


@contextmanager
def serve_process(
    model_dir: Path, log: Path, *flags: str, file_limit: int | None = None
) -> Iterator[Served]:
    """`precis serve --profile tiny` on a free port, killed on the way out whatever happens
    (with soft and hard open-file limits of `file_limit` when given)."""
    env = precis_env(model_dir)
    port = free_port()
    command = [
        *precis_command(),
        "serve",
        "--profile",
        "tiny",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--threads",
        "2",
        *flags,
    ]
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=None if file_limit is None else lambda: _limit_files(file_limit),
        )
    try:
        yield Served(process, log, port, env)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


# -- a web server for client-side fetching (loopback only) ---------------------------------------


@contextmanager
def web_server(pages: dict[str, tuple[int, dict[str, str], bytes]]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1:0 answering each path with (status, headers, body); other
    paths get 404. Yields its base URL ("http://127.0.0.1:PORT")."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = pages.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)
