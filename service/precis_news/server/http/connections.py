"""HTTP connections bounded and reaped: caps (total, per peer, below the file limit), header and
send timeouts, and the process's file limit raised to its hard limit."""

from __future__ import annotations

import asyncio
import collections
import logging
import resource
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from precis_models.allocator import release_free_memory
from precis_news.server.logs import Throttled
from precis_news.server.metrics import Metrics

log = logging.getLogger(__name__)

# asyncio accepts up to this many connections in one go (its `backlog`), before the limiter sees
# (and refuses) any of them: descriptors held at once beyond the cap.
ACCEPT_BATCH = 32
# Connections the kernel queues until the loop accepts them (capped by net.core.somaxconn): a
# burst larger than the queue has its SYNs dropped, and each costs its client a second.
LISTEN_QUEUE = 1024
# Descriptors left free below the soft file limit beside the capped HTTP connections: 128 for
# gRPC connections, health probes, the log, model files and the metrics endpoint, and the
# sockets accepted but not yet closed as refused: a refused socket is closed three loop turns
# after its accept, and each turn may accept a batch.
RESERVED_FILES = 128 + 4 * ACCEPT_BATCH
# A refused connection is told this and closed at once (it never reaches aiohttp).
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: 27\r\n\r\ntoo many open connections\r\n"
)
# One log line per this many seconds about refused connections, however many there are.
REFUSAL_LOG_SECONDS = 10.0
# After a client that stopped reading is dropped, the heap's free pages go back to the OS this
# soon (one trim for a whole wave of them).
TRIM_AFTER_SECONDS = 1.0


def raise_file_limit() -> tuple[int, int]:
    """Raise this process's soft limit on open files to its hard limit.

    Returns:
        The (soft, hard) limits now in force (RLIM_INFINITY stays as it is).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:  # a hard limit the kernel will not grant
            log.warning("cannot raise the open-file limit from %d to %d: %s", soft, hard, exc)
    return soft, hard


def enlarge_queue(server: asyncio.base_events.Server) -> None:
    """Give the listening sockets of `server` a kernel queue of LISTEN_QUEUE (asyncio sets
    listen(backlog) with its accept batch size)."""
    for listening in server.sockets:
        with socket.fromfd(listening.fileno(), listening.family, listening.type) as same:
            same.listen(LISTEN_QUEUE)  # the same socket: a dup of its descriptor


def connection_cap(requested: int, soft_limit: int) -> int:
    """The HTTP connections allowed at once: `requested`, but never so many that HTTP alone
    could use the descriptors RESERVED_FILES keeps for gRPC, health and the log."""
    if soft_limit == resource.RLIM_INFINITY:
        return requested
    return max(1, min(requested, soft_limit - RESERVED_FILES))


@dataclass(frozen=True)
class ConnectionLimits:
    """What one HTTP connection may hold and for how long."""

    max_total: int
    max_per_peer: int
    header_seconds: float  # from a request's first byte to the end of its headers
    send_seconds: float  # how long an answer may wait for a client that stopped reading


class ConnectionLimiter:
    """A protocol factory around aiohttp's: counts connections, refuses those over a cap at once
    (503, closed: no descriptor held, nothing parsed) and reaps the slow (see _Connection)."""

    def __init__(
        self, factory: Callable[[], Any], limits: ConnectionLimits, metrics: Metrics
    ) -> None:
        self.factory = factory
        self.limits = limits
        self.metrics = metrics
        self.open = 0
        self.by_peer: collections.Counter[str] = collections.Counter()
        self.refusals = Throttled(REFUSAL_LOG_SECONDS)
        self._trim: asyncio.TimerHandle | None = None

    def __call__(self) -> asyncio.Protocol:
        return _Connection(self, self.factory())

    def admit(self, peer: str) -> bool:
        """Count a new connection from `peer`; False (counted, logged once per interval) when
        it is over a cap."""
        if self.open >= self.limits.max_total:
            reason = "over_total"
        elif self.by_peer[peer] >= self.limits.max_per_peer:
            reason = "over_peer"
        else:
            self.open += 1
            self.by_peer[peer] += 1
            self.metrics.http_connections.set(self.open)
            return True
        self.closed(reason)
        held = self.refusals.ready()
        if held is not None:
            log.warning(
                "refusing new HTTP connections (%s): %d open, cap %d, %d per peer%s",
                reason,
                self.open,
                self.limits.max_total,
                self.limits.max_per_peer,
                f"; {held} more refused since the last such line" if held else "",
            )
        return False

    def release(self, peer: str) -> None:
        self.open -= 1
        self.by_peer[peer] -= 1
        if self.by_peer[peer] <= 0:
            del self.by_peer[peer]
        self.metrics.http_connections.set(self.open)

    def closed(self, reason: str) -> None:
        """Count a connection the limiter closed (or refused), by reason."""
        self.metrics.http_connections_closed.labels(reason).inc()

    def trim_soon(self) -> None:
        """Give freed memory back to the OS shortly (once for a burst of drops)."""
        if self._trim is None:
            loop = asyncio.get_running_loop()
            self._trim = loop.call_later(TRIM_AFTER_SECONDS, self._trimmed)

    def _trimmed(self) -> None:
        self._trim = None
        release_free_memory()


class _Connection(asyncio.Protocol):
    """One HTTP connection: aiohttp's protocol (`inner`) behind the limiter's checks.

    Headers must be complete within header_seconds of their first byte; a client whose unread
    answer has filled the write buffer for send_seconds is dropped (the buffer is freed).
    aiohttp's own keep-alive timeout closes a connection idle between requests, or silent from
    the start.
    """

    def __init__(self, limiter: ConnectionLimiter, inner: Any) -> None:
        self.limiter = limiter
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.admitted = False
        self._header_timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peername = transport.get_extra_info("peername")
        self.peer = str(peername[0]) if isinstance(peername, tuple) else str(peername)
        if not self.limiter.admit(self.peer):
            transport.write(REFUSAL)
            transport.close()
            return
        self.admitted = True
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self.admitted:
            return
        if self._header_timer is None and not getattr(self.inner, "_request_in_progress", True):
            # A request is starting: its headers get header_seconds.
            started = getattr(self.inner, "_request_count", 0)
            self._header_timer = asyncio.get_running_loop().call_later(
                self.limiter.limits.header_seconds, self._headers_due, started
            )
        self.inner.data_received(data)

    def _headers_due(self, started: int) -> None:
        self._header_timer = None
        if self.transport is None:
            return
        if getattr(self.inner, "_request_count", 0) == started:  # no complete headers yet
            self.limiter.closed("header_timeout")
            self.transport.abort()

    def eof_received(self) -> bool | None:
        if not self.admitted:
            return None
        return self.inner.eof_received()  # type: ignore[no-any-return]

    def pause_writing(self) -> None:
        if not self.admitted:
            return
        self.inner.pause_writing()
        if self._send_timer is None:
            self._send_timer = asyncio.get_running_loop().call_later(
                self.limiter.limits.send_seconds, self._too_slow
            )

    def resume_writing(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None
        if self.admitted:
            self.inner.resume_writing()

    def _too_slow(self) -> None:
        self._send_timer = None
        if self.transport is not None:
            seconds = self.limiter.limits.send_seconds
            log.info("dropping an HTTP client that read nothing for %.0f s", seconds)
            self.limiter.closed("send_timeout")
            self.transport.abort()
            self.limiter.trim_soon()

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in (self._header_timer, self._send_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._send_timer = None
        self.transport = None
        if self.admitted:
            self.limiter.release(self.peer)
            self.inner.connection_lost(exc)
