"""Build and run the server: gRPC services and the HTTP gateway, guard, TLS, health, load, drain."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.sdk.trace import TracerProvider

from precis_models import languages
from precis_models.allocator import limit_arenas, release_free_memory
from precis_models.batching import BatchLimits
from precis_models.cache import ResultCache
from precis_models.catalog import load_catalog
from precis_models.language import LanguageDetector
from precis_models.loader import ModelSet, load_model_set, require_buildable, resolve_runtime
from precis_models.runtime import Runtime
from precis_models.store import require_models
from precis_models.unsupported import UnsupportedLanguageCheck
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.pipeline import Pipeline, translated_names
from precis_news.server.guard import CallGuard
from precis_news.server.http.connections import (
    ConnectionLimits,
    connection_cap,
    raise_file_limit,
)
from precis_news.server.http.gateway import Gateway
from precis_news.server.logs import AcceptErrors
from precis_news.server.methods import ServingState
from precis_news.server.metrics import Metrics, MetricsEndpoint
from precis_news.server.servicer import SummarizerServicer
from precis_news.server.tracing import start_tracing, stop_tracing
from precis_news.settings import Settings, read_api_keys

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Summarizer"].full_name
MAX_MESSAGE_BYTES = 4 * 2**20
# grpc's own limit is only a backstop above the guard's budgets (see CallGuard): room for this
# many health Checks and refusals at once, so that probes never meet it.
BACKSTOP_HEADROOM = 1024
# Calls gRPC's core holds until the server loop takes them (a burst arrives faster than that).
# Past its default (1,000) core cancels them, so a probe in a burst of 2,000 half-open calls
# would get CANCELLED; the guard answers each one taken within microseconds.
PENDING_CALLS = 5000
# After the grace period, how long the models get to stop before their running calls are
# abandoned (a model call cannot be interrupted; the process exits without waiting for it).
ABANDON_AFTER_SECONDS = 2.0
# Threads for the calls' CPU steps off the event loop (detection, sentence splitting, packing,
# checks: asyncio.to_thread). They hold the GIL for most of those steps, so more threads add no
# throughput, only more threads for the loop to win the GIL from; with one, refusals and every
# other loop turn wait at most about one switch interval for it.
REQUEST_THREADS = 1


class CannotListen(Exception):
    """The address to listen on is taken, or is not this machine's."""


def _check_address(host: str, port: int, *, flag: str = "--port") -> None:
    """Bind the address once ourselves, so that a taken port is one clear line (gRPC's own bind
    failure is a core log line plus "Failed to bind")."""
    if port == 0:
        return
    address = f"{host}:{port}"
    try:
        candidates = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise CannotListen(f"cannot listen on {address}: {exc}; check --host") from exc
    for family, kind, proto, _, sockaddr in candidates:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gRPC binds
            try:
                probe.bind(sockaddr)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise CannotListen(
                        f"cannot listen on {address}: port {port} is in use; stop the other "
                        f"server or pick a free port with {flag} N ({flag} 0 picks one)"
                    ) from exc
                raise CannotListen(
                    f"cannot listen on {address}: {exc.strerror}; check --host"
                ) from exc


def _max_receive_bytes(settings: Settings) -> int:
    # Any request that could hold an article under the limit (4 UTF-8 bytes per character at
    # most, plus the other fields) must arrive, so that the caller gets the limit in words
    # rather than the transport's "Received message larger than max".
    # The same holds for an HTML page under max_html_chars.
    largest = max(settings.max_article_chars, settings.max_html_chars)
    return max(MAX_MESSAGE_BYTES, 4 * largest + 2**20)


def _credentials(settings: Settings) -> grpc.ServerCredentials | None:
    if settings.tls_cert is None:
        return None
    if settings.tls_key is None:
        raise ValueError("tls_cert needs tls_key")
    pair = (settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())
    client_ca = settings.tls_client_ca.read_bytes() if settings.tls_client_ca else None
    return grpc.ssl_server_credentials(
        [pair], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The HTTP gateway's TLS (and mTLS): the same files as gRPC's."""
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.tls_cert, settings.tls_key)
    if settings.tls_client_ca is not None:
        context.load_verify_locations(settings.tls_client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


class PrecisServer:
    """The whole server: start() listens at once (NOT_SERVING), load() makes it SERVING."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.state = ServingState(settings, self.metrics)
        self.health = health.aio.HealthServicer()
        self.models: ModelSet | None = None
        self.port = 0
        self.http_port = 0  # bound once started, when http_port is not -1
        self.abandoned = False  # model calls were still running when stop() returned
        self.metrics_endpoint: MetricsEndpoint | None = None
        self.tracer_provider: TracerProvider | None = None
        self.guard = CallGuard(
            keys=read_api_keys(settings),
            max_calls=settings.max_concurrent_rpcs,
            max_streams=settings.max_open_streams,
            max_unread=settings.max_unread_calls,
            read_seconds=settings.read_timeout_seconds,
            metrics=self.metrics,
        )
        self.server = grpc.aio.server(
            interceptors=[self.guard],
            maximum_concurrent_rpcs=(
                settings.max_concurrent_rpcs
                + settings.max_open_streams
                + settings.max_unread_calls
                + BACKSTOP_HEADROOM
            ),
            options=[
                ("grpc.max_receive_message_length", _max_receive_bytes(settings)),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.so_reuseport", 0),
                ("grpc.server.max_pending_requests", PENDING_CALLS),
                ("grpc.server.max_pending_requests_hard_limit", 2 * PENDING_CALLS),
                # Clients balancing over dns:/// re-resolve when connections age out, so new
                # replicas get traffic after a scale-up.
                ("grpc.max_connection_age_ms", 5 * 60 * 1000),
                ("grpc.max_connection_age_grace_ms", 60 * 1000),
            ],
        )
        pb_grpc.add_SummarizerServicer_to_server(SummarizerServicer(self.state), self.server)
        self.file_limits = raise_file_limit()  # (soft, hard), logged once listening
        cap = connection_cap(settings.http_max_connections, self.file_limits[0])
        limits = ConnectionLimits(
            max_total=cap,
            max_per_peer=settings.http_max_connections_per_peer,
            header_seconds=settings.http_header_timeout_seconds,
            send_seconds=settings.http_send_timeout_seconds,
        )
        self.gateway = (
            Gateway(
                self.state,
                self.guard,
                max_body_bytes=_max_receive_bytes(settings),
                limits=limits,
                idle_seconds=settings.http_idle_timeout_seconds,
                cors_origins=settings.cors_origins,
            )
            if settings.http_port >= 0
            else None
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )

    async def start(self) -> int:
        """Listen (health NOT_SERVING until load() finishes). Returns the bound port."""
        for service in ("", SERVICE_NAME):
            await self.health.set(service, health_pb2.HealthCheckResponse.NOT_SERVING)
        address = f"{self.settings.host}:{self.settings.port}"
        credentials = _credentials(self.settings)
        _check_address(self.settings.host, self.settings.port)
        try:
            if credentials is None:
                self.port = self.server.add_insecure_port(address)
            else:
                self.port = self.server.add_secure_port(address, credentials)
        except RuntimeError as exc:  # taken between the check and here: gRPC's bare message
            raise CannotListen(f"cannot listen on {address}: {exc}; try --port N") from exc
        await self.server.start()
        AcceptErrors.install()
        if self.gateway is not None:
            _check_address(self.settings.host, self.settings.http_port, flag="--http-port")
            self.http_port = await self.gateway.start(
                self.settings.host, self.settings.http_port, ssl_context=_ssl_context(self.settings)
            )
            scheme = "https" if credentials else "http"
            log.info(
                "HTTP/JSON and the web page on %s://%s:%d/",
                scheme,
                self.settings.host,
                self.http_port,
            )
            log.info(
                "open-file limit %d (hard %d): up to %d HTTP connections, %d per peer",
                *self.file_limits,
                self.gateway.limits.max_total,
                self.gateway.limits.max_per_peer,
            )
        self.tracer_provider = start_tracing(self.settings)
        if self.settings.metrics_port:
            self.metrics_endpoint = self.metrics.serve(
                self.settings.metrics_host,
                self.settings.metrics_port,
                token=self.settings.metrics_token,
            )
        log.info(
            "listening on %s:%d (%s)",
            self.settings.host,
            self.port,
            "TLS" if credentials else "plaintext",
        )
        return self.port

    async def load(self) -> None:
        """Load and warm the models off the event loop, then report SERVING."""
        s = self.settings
        profile = load_catalog().profile(s.profile)
        runtime = resolve_runtime(s.view(Runtime))
        limits = s.view(BatchLimits)
        cache = ResultCache(s.cache_bytes) if s.cache_bytes else None

        def load_all() -> tuple[ModelSet, LanguageDetector, UnsupportedLanguageCheck | None]:
            # Models first: each load briefly needs ~65% of its size again, on top of what is
            # already resident (the process's peak memory is set here).
            models = load_model_set(
                profile,
                s.model_dir,
                runtime,
                limits=limits,
                cache=cache,
                observer=self.metrics,
                summarizer=s.summarizer,
            )
            served = languages.codes()
            translated_names.load()  # the name check's lexicon (~2 s), not on the first request
            unsupported = (
                UnsupportedLanguageCheck(served) if s.refuse_unsupported_languages else None
            )
            return models, LanguageDetector(served), unsupported

        models, detector, unsupported = await asyncio.to_thread(load_all)
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="request")
        )
        self.models = models
        for model in models.models:
            self.metrics.watch_loaded(model.name, model.is_loaded)
        models.start()
        pipeline = Pipeline(models, detector, s, unsupported=unsupported)
        await self._warm_up(pipeline)
        release_free_memory()
        self.state.backend, self.state.device = runtime.backend, runtime.device
        self.state.pipeline = pipeline
        for service in ("", SERVICE_NAME):
            await self.health.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info(
            "serving profile %r: %s",
            profile.name,
            ", ".join(f"{m.name}@{m.revision}" for m in self.models.models),
        )

    async def _warm_up(self, pipeline: Pipeline) -> None:
        """One generate call per model, so the first caller does not pay for lazy init."""
        for model in pipeline.models.models:
            await model.warm_up()

    async def stop(self, grace: float | None = None) -> None:
        """Drain within `grace` + ABANDON_AFTER_SECONDS, whatever is running.

        NOT_SERVING at once; Watch streams are told and ended; new calls are refused
        (UNAVAILABLE); in-flight calls get the grace period (`grace_seconds` when None), then
        are cancelled; models get ABANDON_AFTER_SECONDS to stop, after which model calls still
        running are abandoned (`abandoned` is set: the process should exit without them).
        """
        self.state.draining = True
        await self.health.enter_graceful_shutdown()
        await self.guard.close()
        grace = self.settings.grace_seconds if grace is None else grace
        stopping = [self.server.stop(grace)]
        if self.gateway is not None:
            stopping.append(self.gateway.stop(grace))
        await asyncio.gather(*stopping)
        if self.metrics_endpoint is not None:
            self.metrics_endpoint.stop()
        # Off the event loop: the last spans are exported (up to the exporter's timeout) here.
        await asyncio.to_thread(stop_tracing, self.tracer_provider)
        self.tracer_provider = None
        if self.models is not None:
            closing = asyncio.ensure_future(self.models.close())
            done, _ = await asyncio.wait({closing}, timeout=ABANDON_AFTER_SECONDS)
            if not done:
                self.abandoned = True
                log.warning("abandoning model calls still running after the grace period")


async def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then drain."""
    limit_arenas(settings.malloc_arenas)
    profile = load_catalog().profile(settings.profile)
    require_models(profile, settings.model_dir, backend=settings.backend)  # fail fast
    require_buildable(profile, settings.model_dir, summarizer=settings.summarizer)
    server = PrecisServer(settings)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loading = asyncio.create_task(server.load())
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({loading, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if loading in done:
        if loading.exception() is not None:  # raised below: logged by the caller, exit 2 or 1
            stopped.cancel()
            await server.stop(0)  # no gRPC server left to a closed event loop
            loading.result()
        await stopped
    else:
        loading.cancel()
        server.abandoned = True  # a model may still be loading in its thread
    log.info("draining (up to %.0fs)", settings.grace_seconds)
    await server.stop()
    log.info("stopped")
    if server.abandoned:
        # Interpreter shutdown would join the threads still inside a model call (minutes with
        # large models); the drain has kept its word, so end the process without them.
        logging.shutdown()
        os._exit(0)
