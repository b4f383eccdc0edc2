"""The interceptor in front of every call: API keys, unread or unparseable requests, budgets."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2

from precis_news.server.metrics import Metrics
from precis_news.server.status import Status, cancelled_code, clip, status_trailers

log = logging.getLogger(__name__)

PRECIS_PREFIX = "/precis.v1.Summarizer/"
# Health and reflection need no API key (probes and tools carry none).
OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
# Answered at once and hold nothing, so they take no budget: probes are never refused for load.
PROBE_METHODS = frozenset({"/grpc.health.v1.Health/Check"})
WATCH_METHOD = "/grpc.health.v1.Health/Watch"
BUSY_RETRY_SECONDS = 1.0
# The one `method` label of calls to methods the server does not have: labels never come from
# what a caller sends, so the metrics stay the same size whatever strangers call.
UNKNOWN_LABEL = "unknown"
# A call arriving while `max_unread_calls` others wait for their request message still gets this
# long for its own (a probe's or a client's message comes with its headers), then is refused.
QUICK_READ_SECONDS = 0.25
Headers = Iterable[tuple[str, str | bytes]]


@dataclass(frozen=True)
class Malformed:
    """Stands in for a request whose bytes did not parse (the deserializer never raises)."""

    type_name: str
    size: int
    reason: str


def tolerant(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """`deserialize`, returning a Malformed instead of raising on bytes it cannot parse.

    grpc turns a deserializer's exception into UNKNOWN with the exception's class name and logs
    a traceback; the guard answers a Malformed with INVALID_ARGUMENT instead.
    """
    if deserialize is None:
        return None
    owner = getattr(deserialize, "__self__", None)
    descriptor = getattr(owner, "DESCRIPTOR", None)
    type_name = getattr(descriptor, "full_name", "message")

    def decode(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as exc:  # DecodeError, or bad UTF-8 in a string field
            reason = str(exc).rpartition(": ")[2] or type(exc).__name__
            return Malformed(type_name, len(data), clip(reason, limit=80))

    return decode


def metric_label(method: str) -> str:
    """The `method` label of a served method: `Summarize` for precis.v1,
    `grpc.health.v1.Health/Check` (methods the server lacks are UNKNOWN_LABEL, see CallGuard)."""
    if method.startswith(PRECIS_PREFIX):
        return method[len(PRECIS_PREFIX) :]
    return clip(method.lstrip("/"), limit=120)


def _unauthenticated(message: str) -> Status:
    return Status(grpc.StatusCode.UNAUTHENTICATED, message)


def check_key(headers: Headers, keys: tuple[bytes, ...]) -> Status | None:
    """None when `headers` hold exactly one `authorization: Bearer <an accepted key>` (or no
    keys are set); else the UNAUTHENTICATED status to answer with.

    Two authorization headers are refused whatever they hold (which one counts would depend on
    the proxy in between). Keys are compared in constant time; none is ever echoed or logged.
    """
    if not keys:
        return None
    values = [v for name, v in headers if name.lower() == "authorization"]
    if len(values) > 1:
        return _unauthenticated(
            f"{len(values)} authorization headers; send exactly one (Bearer <key>)"
        )
    value = values[0] if values else ""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    scheme, _, key = text.partition(" ")
    if scheme.lower() != "bearer" or not key:
        return _unauthenticated("missing or wrong API key")
    if not any(hmac.compare_digest(key.encode("utf-8", "replace"), k) for k in keys):
        return _unauthenticated("missing or wrong API key")
    return None


class Budget:
    """At most `limit` calls at once (used on the event loop only, so a plain counter)."""

    def __init__(self, limit: int, *, what: str = "calls in progress") -> None:
        self.limit = limit
        self.used = 0
        self.what = what

    def refusal(self) -> Status:
        """What a call beyond the limit is told (retrying shortly helps)."""
        return Status(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            f"the server has {self.limit} {self.what}; retry shortly",
            retry_after=BUSY_RETRY_SECONDS,
        )

    def over(self) -> Status | None:
        """The refusal for a call arriving now when every slot is taken, else None (O(1): a
        call is refused from its headers, before its message is read)."""
        return self.refusal() if self.used >= self.limit else None

    def take(self) -> bool:
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def give(self) -> None:
        self.used -= 1


_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class _WriteTracker:
    """A servicer context that remembers the last message written and whether a write is on."""

    def __init__(self, context: grpc.aio.ServicerContext) -> None:
        self._context = context
        self.last: Any = None
        self.writing = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    async def write(self, message: Any) -> None:
        self.writing = True
        try:
            await self._context.write(message)
            self.last = message
        finally:
            self.writing = False

    async def settled(self, status: int, *, timeout: float) -> bool:
        """Wait (up to `timeout`) until no write is on and the last one carried `status`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if not self.writing and getattr(self.last, "status", None) == status:
                return True
            await asyncio.sleep(0.01)
        return not self.writing and getattr(self.last, "status", None) == status


class CallGuard(grpc.aio.ServerInterceptor):
    """Admits each call, or refuses it at once with an exact status, counted in the metrics.

    From the headers alone, before any message is read: the API key (precis.v1 calls, when keys
    are set; a call to a method the server lacks too) -> UNAUTHENTICATED, answered at once even
    to a caller that never sends its message; an unknown method -> UNIMPLEMENTED; a full budget
    (see below) -> RESOURCE_EXHAUSTED with RetryInfo. Then the
    request message is read within `read_seconds` by at most `max_unread` calls at once (a call
    past that gets QUICK_READ_SECONDS) -> DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED; bytes that do
    not parse -> INVALID_ARGUMENT; precis.v1 calls beyond `max_calls`, or health Watch and
    reflection streams beyond `max_streams` -> RESOURCE_EXHAUSTED with RetryInfo. Health Check
    takes no call budget. On close() every open stream is told NOT_SERVING (Watch) and ended.
    """

    def __init__(
        self,
        *,
        keys: tuple[str, ...],
        max_calls: int,
        max_streams: int,
        max_unread: int,
        read_seconds: float,
        metrics: Metrics,
    ) -> None:
        self._keys = tuple(k.encode() for k in keys)
        self.calls = Budget(max_calls)
        self.streams = Budget(max_streams, what="open streams")
        self.unread = Budget(max_unread, what="calls waiting for their request message")
        self.read_seconds = read_seconds
        self._metrics = metrics
        self._closing = asyncio.Event()

    def check_key(self, headers: Headers) -> Status | None:
        """See check_key: None when the headers carry an accepted key (or none is needed)."""
        return check_key(headers, self._keys)

    def count(self, label: str, code: grpc.StatusCode) -> None:
        self._metrics.requests.labels(label, code.name).inc()

    async def close(self) -> None:
        """End every open stream (Watch streams get NOT_SERVING first); refuse new ones."""
        self._closing.set()
        await asyncio.sleep(0)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method = details.method
        is_open = method.startswith(OPEN_PREFIXES)
        label = metric_label(method) if handler is not None else UNKNOWN_LABEL
        refusal = None if is_open else self.check_key(details.invocation_metadata or ())
        if refusal is None and handler is None:
            refusal = Status(grpc.StatusCode.UNIMPLEMENTED, "no such method")
        budget = None if method in PROBE_METHODS else self.streams if is_open else self.calls
        if refusal is None and budget is not None:
            # A full budget refuses from the headers: the (maybe large) message is never read.
            refusal = budget.over()
        if refusal is not None:
            return self._refusal(label, refusal)
        return _GuardedCall(self, method, label, budget).handler(handler)

    def _refusal(self, label: str, status: Status) -> grpc.RpcMethodHandler:
        """A handler that answers `status` at once: its request side is a stream, so it runs
        as soon as the headers are in, without waiting for (or reading) a message."""

        async def refuse(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> None:
            self.count(label, status.code)
            await context.abort(
                status.code, status.message, trailing_metadata=status_trailers(status)
            )

        return grpc.stream_stream_rpc_method_handler(refuse)


class _GuardedCall:
    """Wraps one method handler: its request read within the read budget, admission, then the
    real behaviour within its budget."""

    def __init__(self, guard: CallGuard, method: str, label: str, budget: Budget | None) -> None:
        self.guard = guard
        self.method = method
        self.label = label
        self.budget = budget
        self.is_stream = budget is guard.streams
        # The servicer counts the outcome of the precis.v1 calls it runs; the guard counts the rest.
        self.count_outcome = not method.startswith(PRECIS_PREFIX)

    def handler(self, inner: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        decode = tolerant(inner.request_deserializer)
        encode = inner.response_serializer
        # A unary request is read here (see _read), so the handler's request side is a stream:
        # it starts when the headers are in, not when (or if) the message comes.
        if inner.unary_unary:
            return grpc.stream_unary_rpc_method_handler(
                self._unary(inner.unary_unary), decode, encode
            )
        if inner.unary_stream:
            return grpc.stream_stream_rpc_method_handler(
                self._unary(inner.unary_stream), decode, encode
            )
        if inner.stream_unary:
            raise TypeError(f"{self.method}: client-streaming methods are not supported")
        return grpc.stream_stream_rpc_method_handler(
            self._streaming(inner.stream_stream), decode, encode
        )

    async def _refuse(self, context: grpc.aio.ServicerContext, status: Status) -> None:
        self.guard.count(self.label, status.code)
        await context.abort(status.code, status.message, trailing_metadata=status_trailers(status))

    async def _read(self, requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> Any:
        """The call's one request message, read within the guard's read budget and timeout."""
        unread = self.guard.unread
        held = unread.take()
        timeout = self.guard.read_seconds if held else QUICK_READ_SECONDS
        try:
            return await asyncio.wait_for(anext(requests), timeout)
        except asyncio.CancelledError:
            self.guard.count(self.label, cancelled_code(context))
            raise
        except StopAsyncIteration:
            # A passed deadline ends the read like this, just before the handler is cancelled.
            if cancelled_code(context) is grpc.StatusCode.DEADLINE_EXCEEDED:
                self.guard.count(self.label, grpc.StatusCode.DEADLINE_EXCEEDED)
                raise asyncio.CancelledError from None
            status = Status(
                grpc.StatusCode.INVALID_ARGUMENT, "the call ended before its request message"
            )
        except TimeoutError:
            if held:
                status = Status(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"the request message did not arrive within {self.guard.read_seconds:g} s",
                )
            else:
                status = unread.refusal()
        finally:
            if held:
                unread.give()
        await self._refuse(context, status)

    async def _admit(self, request: Any, context: grpc.aio.ServicerContext) -> None:
        if isinstance(request, Malformed):
            log.info(
                "%s: unparseable %s (%d bytes: %s) from %s",
                self.label,
                request.type_name,
                request.size,
                request.reason,
                clip(context.peer(), limit=80),
            )
            message = (
                f"the request is not a valid {request.type_name} ({request.reason}); "
                "string fields must be UTF-8"
            )
            await self._refuse(context, Status(grpc.StatusCode.INVALID_ARGUMENT, message))
        if self.is_stream and self.guard._closing.is_set():
            await self._refuse(
                context, Status(grpc.StatusCode.UNAVAILABLE, "the server is shutting down")
            )
        if self.budget is not None and not self.budget.take():
            await self._refuse(context, self.budget.refusal())

    async def _outcome(
        self, context: grpc.aio.ServicerContext, work: Callable[[], Awaitable[Any]]
    ) -> Any:
        with self._accounted(context):
            return await work()

    @contextlib.contextmanager
    def _accounted(self, context: grpc.aio.ServicerContext) -> Iterator[None]:
        """Give the budget back and count the call's code when it ends, however it ends."""
        code = grpc.StatusCode.OK
        try:
            yield
        except asyncio.CancelledError:
            code = cancelled_code(context)
            raise
        except BaseException:
            code = context.code() or grpc.StatusCode.UNKNOWN
            raise
        finally:
            if self.budget is not None:
                self.budget.give()
            if self.count_outcome:
                self.guard.count(self.label, code)

    def _unary(self, behaviour: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isasyncgenfunction(behaviour):
            raise TypeError(f"{self.method}: only coroutine unary-request handlers are supported")

        async def run(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> Any:
            request = await self._read(requests, context)
            await self._admit(request, context)
            if not self.is_stream:
                return await self._outcome(context, lambda: behaviour(request, context))
            return await self._outcome(
                context, lambda: self._until_closed(behaviour, request, context)
            )

        return run

    async def _until_closed(
        self, behaviour: Callable[..., Any], request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        """Run a stream's behaviour until it ends or the guard closes (then end it with OK).

        A Watch is ended once it has written NOT_SERVING (the health servicer writes it when the
        drain begins; a write is never cut in half), or writes it here if it had not in a second.
        """
        writes = _WriteTracker(context)
        work = asyncio.ensure_future(behaviour(request, writes))
        closing = asyncio.ensure_future(self.guard._closing.wait())
        try:
            await asyncio.wait({work, closing}, return_when=asyncio.FIRST_COMPLETED)
            if work.done():
                return work.result()
            told = self.method != WATCH_METHOD or await writes.settled(_NOT_SERVING, timeout=1.0)
            work.cancel()
            if not told:
                await context.write(health_pb2.HealthCheckResponse(status=_NOT_SERVING))
            return None
        finally:
            closing.cancel()
            work.cancel()

    def _streaming(self, behaviour: Callable[..., Any]) -> Callable[..., Any]:
        if not inspect.isasyncgenfunction(behaviour):
            raise TypeError(f"{self.method}: only async-generator stream handlers are supported")

        async def run(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> Any:
            await self._admit(None, context)

            async def checked() -> AsyncIterator[Any]:
                async for request in requests:
                    if isinstance(request, Malformed):
                        await context.abort(
                            grpc.StatusCode.INVALID_ARGUMENT,
                            f"the request is not a valid {request.type_name} ({request.reason})",
                        )
                    yield request

            replies = behaviour(checked(), context)
            closing = asyncio.ensure_future(self.guard._closing.wait())
            try:
                with self._accounted(context):
                    while True:
                        step = asyncio.ensure_future(replies.__anext__())
                        await asyncio.wait({step, closing}, return_when=asyncio.FIRST_COMPLETED)
                        if not step.done():
                            step.cancel()
                            return
                        try:
                            reply = step.result()
                        except StopAsyncIteration:
                            return
                        yield reply
            finally:
                closing.cancel()

        return run
