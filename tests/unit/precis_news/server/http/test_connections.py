"""HTTP connection caps and timeouts, on a stand-in transport (real sockets: the integration
tests)."""

from __future__ import annotations

import asyncio
import resource
from typing import Any

import pytest

from precis_news.server.http import connections
from precis_news.server.http.connections import (
    REFUSAL,
    RESERVED_FILES,
    ConnectionLimiter,
    ConnectionLimits,
    connection_cap,
    raise_file_limit,
)
from precis_news.server.metrics import Metrics


def test_raise_file_limit_reaches_the_hard_limit() -> None:
    soft, hard = raise_file_limit()
    assert (soft, hard) == resource.getrlimit(resource.RLIMIT_NOFILE)
    assert soft == hard


def test_cap_keeps_descriptors_free() -> None:
    assert connection_cap(2048, 1024) == 1024 - RESERVED_FILES
    assert connection_cap(2048, 100_000) == 2048
    assert connection_cap(2048, resource.RLIM_INFINITY) == 2048
    assert connection_cap(2048, 10) == 1


class Transport(asyncio.Transport):
    def __init__(self, peer: str) -> None:
        super().__init__()
        self.peer = peer
        self.written = b""
        self.closed = self.aborted = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return (self.peer, 1234) if name == "peername" else default

    def write(self, data: Any) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


class Inner(asyncio.Protocol):
    """Stands in for aiohttp's RequestHandler (the attributes the limiter reads)."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._request_in_progress = False
        self._request_count = 0

    def connection_made(self, transport: Any) -> None:
        self.events.append("made")

    def connection_lost(self, exc: Any) -> None:
        self.events.append("lost")

    def data_received(self, data: bytes) -> None:
        self.events.append("data")

    def pause_writing(self) -> None:
        self.events.append("pause")

    def resume_writing(self) -> None:
        self.events.append("resume")


def limiter(**changes: Any) -> tuple[ConnectionLimiter, Metrics]:
    values = {"max_total": 3, "max_per_peer": 2, "header_seconds": 0.05, "send_seconds": 0.05}
    metrics = Metrics()
    return ConnectionLimiter(Inner, ConnectionLimits(**(values | changes)), metrics), metrics


def closed(metrics: Metrics, reason: str) -> float:
    value = metrics.registry.get_sample_value(
        "precis_http_connections_closed_total", {"reason": reason}
    )
    return value or 0.0


def test_caps_total_and_per_peer_refuse_with_503_and_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits, metrics = limiter()
    opened = []
    for peer in ("a", "a", "a", "b", "c"):
        protocol = limits()
        transport = Transport(peer)
        protocol.connection_made(transport)
        opened.append((protocol, transport))
    refused = [t for _, t in opened if t.closed]
    assert [t.peer for t in refused] == ["a", "c"]  # a's third; c past the total of 3
    assert all(t.written == REFUSAL for t in refused)
    assert (closed(metrics, "over_peer"), closed(metrics, "over_total")) == (1, 1)
    assert limits.open == 3 and metrics.registry.get_sample_value("precis_http_connections") == 3
    assert len([r for r in caplog.records if "refusing new HTTP" in r.getMessage()]) == 1
    for protocol, _ in opened:
        protocol.connection_lost(None)
    assert limits.open == 0 and not limits.by_peer


def test_headers_must_complete_in_time_and_stalled_readers_are_dropped() -> None:
    async def run() -> tuple[Transport, Transport, Transport]:
        limits, _ = limiter()
        slow_headers, done_headers, stalled = (Transport(p) for p in ("a", "b", "c"))
        first = limits()
        first.connection_made(slow_headers)
        first.data_received(b"GET / HTT")  # headers never finish
        second = limits()
        second.connection_made(done_headers)
        second.data_received(b"GET / HTTP/1.1\r\n\r\n")
        second.inner._request_count = 1  # type: ignore[attr-defined]  # parsed in time
        third = limits()
        third.connection_made(stalled)
        third.pause_writing()  # its answer fills the buffer; it reads nothing
        await asyncio.sleep(0.2)
        return slow_headers, done_headers, stalled

    slow_headers, done_headers, stalled = asyncio.run(run())
    assert slow_headers.aborted and stalled.aborted
    assert not done_headers.aborted


def test_a_reader_that_resumes_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections, "release_free_memory", lambda: None)

    async def run() -> Transport:
        limits, _ = limiter()
        transport = Transport("a")
        protocol = limits()
        protocol.connection_made(transport)
        protocol.pause_writing()
        protocol.resume_writing()
        await asyncio.sleep(0.2)
        return transport

    assert not asyncio.run(run()).aborted
