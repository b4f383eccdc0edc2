"""The HTTP/1.1 gateway (aiohttp, on the gRPC server's event loop): JSON routes, SSE, the page.

Each call goes through the same steps as over gRPC: the guard's API key check and call budget,
then server.calls.serve_call (request id, status table, metrics, logs) around server.methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import ssl
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import grpc
from aiohttp import web, web_response
from aiohttp.log import server_logger
from google.protobuf import json_format
from google.protobuf.message import Message

from precis_news.server import callers, calls
from precis_news.server.guard import CallGuard
from precis_news.server.http import bodies, page
from precis_news.server.http.connections import (
    ACCEPT_BATCH,
    ConnectionLimiter,
    ConnectionLimits,
    enlarge_queue,
)
from precis_news.server.http.fields import in_json_words
from precis_news.server.http.openapi import document
from precis_news.server.http.routes import Route, routes
from precis_news.server.logs import ParserNoise
from precis_news.server.methods import Methods, ServingState
from precis_news.server.status import (
    CLIENT_CLOSED,
    INTERNAL_MESSAGE,
    SlowRequest,
    Status,
    clip,
    http_status,
    rich_status,
    to_status,
)

log = logging.getLogger(__name__)

# A request body must arrive within this many seconds once its headers have (slow senders).
BODY_TIMEOUT_SECONDS = 30.0
JSON_TYPE = "application/json"
SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # proxies (nginx) must not hold events back
}
CORS_HEADERS = "Authorization, Content-Type, X-Request-Id, traceparent, tracestate"
CORS_EXPOSED = "X-Request-Id, Retry-After"
WEB = resources.files("precis_news.server.http") / "web"
STATIC = {
    "/": ("index.html", "text/html"),
    "/app.js": ("app.js", "text/javascript"),
    "/style.css": ("style.css", "text/css"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
    "/favicon.ico": ("favicon.svg", "image/svg+xml"),  # browsers ask for it without a link
}
# What the page itself may do: its own scripts and styles, calls to this server, nothing else
# (no inline script, so an article that made it into the page as HTML still could not run).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# What the Server header says: the product, never a library or its version.
SERVER_HEADER = "precis"
# The `method` label of HTTP requests: these verbs, any other as "other" (labels never come
# from what a caller sends).
VERBS = frozenset({"GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE", "PATCH"})
# HTTP errors aiohttp raises itself, as the gRPC code a caller would get for them.
_HTTP_CODES = {
    404: grpc.StatusCode.NOT_FOUND,
    405: grpc.StatusCode.UNIMPLEMENTED,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


def to_json(message: Message) -> str:
    """A message in the proto3 JSON mapping (lowerCamelCase), every field present."""
    return json_format.MessageToJson(
        message, always_print_fields_with_no_presence=True, ensure_ascii=False, indent=None
    )


def status_json(status: Status) -> str:
    """`status` as google.rpc.Status JSON: code (the numeric gRPC code), message, details."""
    body = {"code": status.code.value[0], "message": status.message, "details": []}
    body |= json_format.MessageToDict(rich_status(status))
    return json.dumps(body, ensure_ascii=False)


def error_response(status: Status, *, headers: dict[str, str] | None = None) -> web.Response:
    """`status` as its HTTP status with a google.rpc.Status JSON body (and Retry-After)."""
    extra = dict(headers or {})
    if status.retry_after is not None:
        extra["Retry-After"] = str(max(1, math.ceil(status.retry_after)))
    return web.Response(
        status=http_status(status),
        text=status_json(status),
        content_type=JSON_TYPE,
        headers=extra,
    )


def sse(data: str, *, event: str = "") -> bytes:
    """One Server-Sent Event (`data` holds no newline: it is compact JSON)."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode()


class Gateway:
    """The routes of the proto's google.api.http options, the probes, the OpenAPI document and
    the web page, on one aiohttp application."""

    def __init__(
        self,
        state: ServingState,
        guard: CallGuard,
        *,
        max_body_bytes: int,
        limits: ConnectionLimits,
        idle_seconds: float,
        cors_origins: tuple[str, ...] = (),
    ) -> None:
        self.state = state
        self.guard = guard
        self.methods = Methods(state)
        self.max_body_bytes = max_body_bytes
        self.cors_origins = frozenset(cors_origins)
        self.limits = limits
        self.idle_seconds = idle_seconds
        self.app = web.Application(
            client_max_size=max_body_bytes, middlewares=[self._errors, self._cors]
        )
        for route in routes():
            self.app.router.add_route(route.verb, route.path, self._handler(route), name=route.name)
        self.app.router.add_get("/healthz", self._live)
        self.app.router.add_get("/readyz", self._ready)
        self.app.router.add_get("/v1/openapi.json", self._openapi)
        self.app.router.add_get(page.PATH, self._page_tables)
        for path, (name, kind) in STATIC.items():
            self.app.router.add_get(path, self._static(name, kind))
        self._openapi_text = json.dumps(document(), ensure_ascii=False)
        self._page_text = page.tables_json()
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.base_events.Server | None = None
        self.connections: ConnectionLimiter | None = None

    async def start(self, host: str, port: int, *, ssl_context: ssl.SSLContext | None) -> int:
        """Listen on host:port (0 = a free port); returns the bound port."""
        # aiohttp's default Server header names Python's and its own version, on every answer,
        # its parser's own 400s included (which no app hook sees): the one place it is read.
        web_response.SERVER_SOFTWARE = SERVER_HEADER
        # handler_cancellation: a caller that disconnects cancels its call, so its model work
        # leaves the queues (as a cancelled gRPC call's does). Bodies are never decompressed
        # (see bodies.ACCEPTED_ENCODINGS); keepalive_timeout also closes a connection that
        # never sends a request.
        self._runner = web.AppRunner(
            self.app,
            handler_cancellation=True,
            access_log=None,
            shutdown_timeout=1.0,
            auto_decompress=False,
            keepalive_timeout=self.idle_seconds,
            logger=ParserNoise(server_logger),
        )
        await self._runner.setup()
        assert self._runner.server is not None
        self.connections = ConnectionLimiter(self._runner.server, self.limits, self.state.metrics)
        self._listener = await asyncio.get_running_loop().create_server(
            self.connections,
            host,
            port,
            ssl=ssl_context,
            ssl_handshake_timeout=self.limits.header_seconds if ssl_context else None,
            reuse_address=True,
            backlog=ACCEPT_BATCH,
        )
        enlarge_queue(self._listener)
        return int(self._listener.sockets[0].getsockname()[1])

    async def stop(self, grace: float) -> None:
        """Stop listening; calls in flight get `grace` seconds, then are cancelled."""
        if self._listener is not None:
            self._listener.close()
        if self._runner is not None:
            self._runner._shutdown_timeout = grace  # aiohttp reads it at cleanup
            await self._runner.cleanup()

    # -- middlewares ---------------------------------------------------------------------------

    @web.middleware
    async def _errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Every answer counted by route and status; anything unexpected as a google.rpc.Status
        JSON body (aiohttp's own errors, 404, 405 and 413, are turned into such bodies by _cors,
        the inner middleware, so that they carry the CORS headers too)."""
        response: web.StreamResponse | None = None
        try:
            response = await handler(request)
        except asyncio.CancelledError:
            self._count(request, CLIENT_CLOSED)
            raise
        except ConnectionError:  # the caller hung up while its answer was written
            self._count(request, CLIENT_CLOSED)
            log.info("%s %s: the caller went away", request.method, clip(request.path, limit=80))
            raise asyncio.CancelledError from None  # nothing to answer, nobody to answer
        except Exception:
            log.exception("%s %s failed", request.method, clip(request.path, limit=80))
            response = error_response(Status(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE))
        if not response.prepared:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        self._count(request, response.status)
        return response

    def _http_error(self, exc: web.HTTPException) -> web.Response:
        code = _HTTP_CODES.get(exc.status, grpc.StatusCode.INVALID_ARGUMENT)
        if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
            return error_response(self._too_large(exc.status))
        message = "no such route; see GET /v1/openapi.json" if exc.status == 404 else None
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(
            Status(code, message or exc.reason.lower(), http=exc.status), headers=allow
        )

    def _too_large(self, http: int) -> Status:
        return Status(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            f"the request body is over the server's limit of {self.max_body_bytes} bytes "
            "(see GetInfo limits.max_article_chars)",
            http=http,
        )

    def _count(self, request: web.Request, status: int) -> None:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        verb = request.method if request.method in VERBS else "other"
        self.state.metrics.http_requests.labels(verb, route, str(status)).inc()

    @web.middleware
    async def _cors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """CORS for the allowed origins only (off when none are set)."""
        origin = request.headers.get("Origin", "")
        # "null" is the origin of sandboxed frames and file: pages: anyone can send it, so a
        # wildcard never covers it.
        wildcard = "*" in self.cors_origins and origin != "null"
        allowed = bool(origin) and (origin in self.cors_origins or wildcard)
        if allowed and request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                response = self._http_error(exc)
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
            response.headers["Vary"] = "Origin"
        return response

    # -- the precis.v1 routes ------------------------------------------------------------------

    def _handler(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        message_type = route.method.input_type._concrete_class

        async def handle(request: web.Request) -> web.StreamResponse:
            headers = {"X-Request-Id": calls.request_id(request.headers.get("X-Request-Id", ""))}
            calls.REQUEST_ID.set(headers["X-Request-Id"])
            keyed = bool(self.state.settings.api_keys)
            callers.CALLER.set(callers.http_caller(request, keyed=keyed))
            try:
                message = await self._admitted(route, request, message_type)
            except _Refused as refused:
                self.guard.count(route.name, refused.status.code)
                if http_status(refused.status) == 415:  # RFC 7694: what may be sent instead
                    headers["Accept-Encoding"] = ", ".join(bodies.ACCEPTED_ENCODINGS)
                return error_response(refused.status, headers=headers)
            except (asyncio.CancelledError, ConnectionError):
                # The caller hung up before its body had arrived: cancelled, as over gRPC.
                self.guard.count(route.name, grpc.StatusCode.CANCELLED)
                log.info("%s cancelled by the caller before its request arrived", route.name)
                raise asyncio.CancelledError from None
            try:
                if route.streams:
                    return await self._stream(
                        route, request, route.handler(self.methods, message), headers
                    )
                result = await calls.serve_call(
                    route.name,
                    functools.partial(route.handler, self.methods, message),
                    request_id=headers["X-Request-Id"],
                    metrics=self.state.metrics,
                    carrier=request.headers,
                    protocol="http",
                )
            except calls.CallFailed as failed:
                status = in_json_words(failed.status, route.method.input_type)
                return error_response(status, headers=headers)
            finally:
                self.guard.calls.give()
            return web.Response(text=to_json(result), content_type=JSON_TYPE, headers=headers)

        return handle

    async def _admitted(
        self, route: Route, request: web.Request, message_type: type[Message]
    ) -> Message:
        """The request message once the guard admits the call, in the gRPC guard's order: from
        the headers alone the API key and a full call budget (nothing of the body is read for
        a refusal), then the body, then a slot of the call budget (taken: the caller gives it
        back; a slow sender holds none while its body arrives)."""
        refusal = self.guard.check_key(request.headers.items()) or self.guard.calls.over()
        if refusal is not None:
            raise _Refused(refusal)
        message = await self._read(route, request, message_type)
        if not self.guard.calls.take():
            raise _Refused(self.guard.calls.refusal())
        return message

    async def _read(
        self, route: Route, request: web.Request, message_type: type[Message]
    ) -> Message:
        """The request message from a JSON body (none for GET routes); _Refused when it is not
        one (compressed, wrong content type, too slow, too large, not JSON, unknown fields, a
        field given twice)."""
        message = message_type()
        if not route.body:
            return message
        refusal = bodies.encoding_refusal(request.headers)
        if refusal is not None:
            raise _Refused(refusal)
        kind = request.content_type
        if request.can_read_body and kind != JSON_TYPE:
            raise _Refused(
                Status(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"the body must be {JSON_TYPE}, not {clip(kind, limit=60)!r}",
                    http=415,
                )
            )
        try:
            body = await asyncio.wait_for(request.read(), BODY_TIMEOUT_SECONDS)
        except TimeoutError:
            raise _Refused(to_status(SlowRequest())) from None
        except web.HTTPRequestEntityTooLarge as exc:
            raise _Refused(self._too_large(exc.status)) from None
        if not body.strip():
            return message  # an empty body is the empty message, as in grpc-gateway
        try:
            return await bodies.parse_off_loop(body, message)
        except bodies.BadBody as bad:
            raise _Refused(bad.status) from None

    async def _stream(
        self, route: Route, request: web.Request, events: Any, headers: dict[str, str]
    ) -> web.StreamResponse:
        """Each stream message as one SSE `data:` line. The response starts with the first, so
        a call refused before it gets its own HTTP status (CallFailed is raised); a failure
        after it is the stream's last event, `event: error` with a google.rpc.Status."""
        started: list[web.StreamResponse] = []

        async def write() -> None:
            async with contextlib.aclosing(events):
                async for message in events:
                    if not started:
                        started.append(web.StreamResponse(headers={**SSE_HEADERS, **headers}))
                        await started[0].prepare(request)
                    await started[0].write(sse(to_json(message)))

        try:
            await calls.serve_call(
                route.name,
                write,
                request_id=headers["X-Request-Id"],
                metrics=self.state.metrics,
                carrier=request.headers,
                protocol="http",
            )
        except calls.CallFailed as failed:
            if not started:
                raise
            status = in_json_words(failed.status, route.method.input_type)
            with contextlib.suppress(ConnectionError):
                await started[0].write(sse(status_json(status), event="error"))
        if not started:  # a stream of no messages: an empty event stream
            started.append(web.StreamResponse(headers={**SSE_HEADERS, **headers}))
            await started[0].prepare(request)
        return started[0]

    # -- probes, document, page ----------------------------------------------------------------

    async def _live(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "live"})

    async def _ready(self, request: web.Request) -> web.Response:
        try:
            self.state.ready()
        except Exception as exc:
            return error_response(Status(grpc.StatusCode.UNAVAILABLE, str(exc)))
        return web.json_response({"status": "SERVING"})

    async def _openapi(self, request: web.Request) -> web.Response:
        return web.Response(text=self._openapi_text, content_type=JSON_TYPE)

    async def _page_tables(self, request: web.Request) -> web.Response:
        return web.Response(text=self._page_text, content_type=JSON_TYPE)

    def _static(self, name: str, kind: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        body = (WEB / name).read_bytes()

        async def serve(request: web.Request) -> web.Response:
            return web.Response(
                body=body,
                content_type=kind,
                charset="utf-8",
                headers={
                    "Content-Security-Policy": PAGE_POLICY,
                    "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer",
                },
            )

        return serve


class _Refused(Exception):
    def __init__(self, status: Status) -> None:
        super().__init__(status.message)
        self.status = status
