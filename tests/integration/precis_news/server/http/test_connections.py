"""HTTP connections over real sockets: the cap under a lowered file limit with gRPC health timed,
the idle timeout, SIGTERM with connections open, and clients that stop reading."""

from __future__ import annotations

import asyncio
import resource
import signal
import socket
import time
from pathlib import Path

import pytest
from aiohttp import web

from precis_news.server.http.connections import (
    RESERVED_FILES,
    ConnectionLimiter,
    ConnectionLimits,
    raise_file_limit,
)
from precis_news.server.metrics import Metrics
from tests.support import HealthTimer, free_port, report, serve_process

FILE_LIMIT = 1024  # the server's soft and hard limit in the flood test
SILENT = 2000  # connections opened in it: well past the cap FILE_LIMIT leaves
# Long enough for the server to accept the whole burst before it reaps the first of it.
IDLE_SECONDS = 4.0
GRACE_SECONDS = 1.0


def open_silent(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]


def answer(sock: socket.socket) -> bytes | None:
    """What the server has sent on `sock` (b"" once it closed it); None while it is open."""
    sock.setblocking(False)
    try:
        return sock.recv(64)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def sort_out(
    sockets: list[socket.socket], refusals: int, timeout: float = 20.0
) -> tuple[list[socket.socket], int, int]:
    """(still open, refused: told 503 and closed, closed without a word), once `refusals` are
    refused or `timeout` passes (the server accepts a burst in its own time)."""
    still, refused, closed = list(sockets), 0, 0
    deadline = time.monotonic() + timeout
    while refused < refusals and time.monotonic() < deadline:
        time.sleep(0.1)
        left = []
        for sock in still:
            data = answer(sock)
            if data is None:
                left.append(sock)
            elif data.startswith(b"HTTP/1.1 503"):
                refused += 1
            else:
                closed += 1
        still = left
    return still, refused, closed


def closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(True)
    sock.settimeout(5)
    try:
        return sock.recv(64) == b""
    except OSError:  # reset: closed too
        return True


def test_silent_connections_past_the_cap_leave_grpc_health_answering(
    model_dir: Path, tmp_path: Path
) -> None:
    soft, _ = raise_file_limit()  # this process holds the client side of every connection
    if soft < SILENT + 500:
        pytest.skip(f"this test needs {SILENT + 500} open files, the limit is {soft}")
    http_port = free_port()
    log = tmp_path / "serve.log"
    flags = (
        *("--http-port", str(http_port)),
        *("--http-idle-timeout-seconds", str(IDLE_SECONDS)),
        *("--http-max-connections-per-peer", str(SILENT)),
        *("--grace-seconds", str(GRACE_SECONDS)),
    )
    cap = FILE_LIMIT - RESERVED_FILES
    sockets: list[socket.socket] = []
    with serve_process(model_dir, log, *flags, file_limit=FILE_LIMIT) as served:
        served.wait_serving()
        try:
            with HealthTimer(served.address) as health:
                started = time.perf_counter()
                sockets = open_silent(http_port, SILENT)
                connected = time.perf_counter() - started
                still, refused, closed = sort_out(sockets, SILENT - cap)
                opened = time.perf_counter() - started
            figures = (len(still), refused, closed, connected, opened)
            assert (len(still), refused, closed) == (cap, SILENT - cap, 0), figures
            time.sleep(IDLE_SECONDS + 1.5)  # the idle timeout closes every silent one
            reaped = sum(closed_by_server(sock) for sock in still)
            assert reaped == len(still)
            for sock in sockets:
                sock.close()
            # SIGTERM while the cap is full again: the process still ends within grace + 5 s.
            sockets = open_silent(http_port, cap + 50)
            time.sleep(0.3)
            served.process.send_signal(signal.SIGTERM)
            stopping = time.perf_counter()
            code = served.process.wait(timeout=GRACE_SECONDS + 5)
            stopped = time.perf_counter() - stopping
        finally:
            for sock in sockets:
                sock.close()
    output = served.output()
    assert code == 0, output
    assert f"open-file limit {FILE_LIMIT} (hard {FILE_LIMIT}): up to {cap} HTTP connections" in (
        output
    )
    warnings = output.count("refusing new HTTP connections")
    assert 1 <= warnings <= 3  # once per interval, not once per connection
    assert "Too many open files" not in output and "Traceback" not in output
    report(
        f"{SILENT} silent HTTP connections, file limit {FILE_LIMIT}: {len(still)} held (cap "
        f"{cap}), {refused} refused with 503 in {opened:.1f} s; gRPC health worst "
        f"{health.worst * 1000:.0f} ms over {len(health.seconds)} checks; all {reaped} closed "
        f"by the {IDLE_SECONDS:g} s idle timeout; SIGTERM with {cap} open: exit in "
        f"{stopped:.1f} s; {warnings} refusal log line(s)"
    )
    assert health.worst < 1.0
    assert stopped < GRACE_SECONDS + 5


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


ANSWER_BYTES = 4 * 2**20
READERS = 30


async def _stalled_readers(send_seconds: float) -> tuple[float, float, float, float]:
    """READERS clients ask for an ANSWER_BYTES answer and read none of it; (RSS before, RSS
    with them connected, RSS 1.5 s after send_seconds, clients dropped for send_timeout)."""
    answer = b"x" * ANSWER_BYTES

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=answer)

    app = web.Application()
    app.router.add_get("/big", big)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    assert runner.server is not None
    metrics = Metrics()
    limits = ConnectionLimits(
        max_total=1000, max_per_peer=1000, header_seconds=5, send_seconds=send_seconds
    )
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        ConnectionLimiter(runner.server, limits, metrics), "127.0.0.1", 0
    )
    port = listener.sockets[0].getsockname()[1]
    before = rss_mib()
    writers = []
    try:
        for _ in range(READERS):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.setblocking(False)
            await loop.sock_connect(sock, ("127.0.0.1", port))
            _, writer = await asyncio.open_connection(sock=sock, limit=1024)
            writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            writers.append(writer)
        await asyncio.sleep(0.5)
        held = rss_mib()
        await asyncio.sleep(send_seconds + 1.5)
        after = rss_mib()
        dropped = metrics.registry.get_sample_value(
            "precis_http_connections_closed_total", {"reason": "send_timeout"}
        )
    finally:
        for writer in writers:
            writer.transport.abort()
        listener.close()
        await runner.cleanup()
    return before, held, after, dropped or 0.0


def test_clients_that_stop_reading_are_dropped_and_memory_returns() -> None:
    before, held, after, dropped = asyncio.run(_stalled_readers(send_seconds=1.0))
    report(
        f"{READERS} clients not reading a {ANSWER_BYTES // 2**20} MiB answer: RSS {before:.0f} "
        f"-> {held:.0f} MiB while held -> {after:.0f} MiB 1.5 s after the 1 s send timeout; "
        f"{dropped:.0f} dropped"
    )
    assert dropped == READERS
    # The answers were held (in part by the kernel's send buffers, outside RSS)...
    assert held - before > READERS * ANSWER_BYTES / 2**20 / 8
    assert after - before < (held - before) / 4  # ...and given back
