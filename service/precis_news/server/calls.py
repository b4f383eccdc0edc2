"""One call's bookkeeping, the same over gRPC and HTTP: request id, status, metrics, log lines."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

import grpc

from precis_news.server import tracing
from precis_news.server.logs import EscapingFormatter
from precis_news.server.metrics import Metrics
from precis_news.server.status import Status, to_status

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_REQUEST_ID_CHARS = 128
# A caller's request id is kept only when it is such a token (no spaces, brackets or controls,
# so it cannot forge text inside a log line); otherwise the call gets a fresh one.
REQUEST_ID_TOKEN = re.compile(rf"[A-Za-z0-9._:/+=-]{{1,{MAX_REQUEST_ID_CHARS}}}")
# The id of the call being served, for every log line it causes (see RequestIdFilter).
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to log records, from the call being served (or "-"), and `trace`,
    " trace=<trace id>" within a trace (the caller's traceparent, or tracing on), else ""."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        found = tracing.trace_id()
        record.trace = f" trace={found}" if found else ""
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(trace)s] %(message)s"


def configure_logging(level: str, *, stream: Any = None) -> None:
    """Log to stderr (or `stream`) with the request id of the call on every line ("-" outside).

    Args:
        level: DEBUG, INFO, WARNING or ERROR.
        stream: where to write; stderr when None.
    """
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())  # on the handler: records of every logger pass it
    handler.setFormatter(EscapingFormatter(LOG_FORMAT))  # caller text cannot break lines
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def request_id(given: str) -> str:
    """The caller's x-request-id when it is a short token (REQUEST_ID_TOKEN), else a fresh one
    (it is echoed in trailers, headers and logs, so the caller must not choose its size, its
    spaces or control characters)."""
    if REQUEST_ID_TOKEN.fullmatch(given):
        return given
    return uuid.uuid4().hex


class CallFailed(Exception):
    """A call ended with `status` (already logged and counted); the transport sends it."""

    def __init__(self, status: Status) -> None:
        super().__init__(status.message)
        self.status = status


async def serve_call(
    method: str,
    work: Callable[[], Awaitable[T]],
    *,
    request_id: str,
    metrics: Metrics,
    cancelled: Callable[[], grpc.StatusCode] = lambda: grpc.StatusCode.CANCELLED,
    carrier: Mapping[str, Any] | None = None,
    protocol: str = "grpc",
) -> T:
    """Run one precis.v1 call: log under its request id, count its code and latency, trace it
    (a SERVER span, the child of the caller's traceparent when given; see server.tracing).

    Args:
        cancelled: the code the caller saw when the call was cancelled (DEADLINE_EXCEEDED when
            its deadline passed, else CANCELLED; see status.cancelled_code).
        carrier: the call's gRPC metadata or HTTP headers (traceparent, tracestate).
        protocol: "grpc" or "http", for the span.

    Raises:
        CallFailed: `work` raised; its status comes from the one table (status.to_status).
        asyncio.CancelledError: the caller went away or its deadline passed.
    """
    REQUEST_ID.set(request_id)
    with tracing.call_span(method, carrier or {}, protocol=protocol, request_id=request_id) as span:
        try:
            return await _served(method, work, metrics=metrics, cancelled=cancelled)
        except CallFailed as failed:
            span.set_attribute("rpc.grpc.status_code", failed.status.code.value[0])
            raise


async def _served(
    method: str,
    work: Callable[[], Awaitable[T]],
    *,
    metrics: Metrics,
    cancelled: Callable[[], grpc.StatusCode],
) -> T:
    """`work`, logged, counted and its errors mapped (see serve_call)."""
    started = time.perf_counter()
    code = grpc.StatusCode.OK
    try:
        return await work()
    except asyncio.CancelledError:
        code = cancelled()
        if code is grpc.StatusCode.DEADLINE_EXCEEDED:
            log.info("%s: the caller's deadline passed", method)
        else:
            log.info("%s cancelled by the caller", method)
        raise
    except Exception as exc:
        status = to_status(exc)
        code = status.code
        if code is grpc.StatusCode.INTERNAL:
            log.exception("%s failed", method)
        else:
            log.info("%s -> %s: %s", method, code.name, status.message)
        raise CallFailed(status) from exc
    finally:
        elapsed = time.perf_counter() - started
        metrics.requests.labels(method, code.name).inc()
        metrics.latency.labels(method).observe(elapsed)
        log.debug("%s %s in %.1f ms", method, code.name, elapsed * 1000)
