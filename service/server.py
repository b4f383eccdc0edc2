"""Build and run the grpc.aio server: services, auth, TLS, health, reflection, load, drain."""

from __future__ import annotations

import asyncio
import errno
import hmac
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.api import ServingState, SummarizerServicer
from precis_news.config import LANGUAGES, Settings
from precis_news.metrics import Metrics
from precis_news.models.allocator import limit_arenas, release_free_memory
from precis_news.models.batching import BatchLimits
from precis_news.models.cache import ResultCache
from precis_news.models.catalog import load_catalog
from precis_news.models.language import LanguageDetector
from precis_news.models.loader import ModelSet, Runtime, load_model_set, resolve_runtime
from precis_news.models.store import require_models
from precis_news.pipeline import Pipeline

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Summarizer"].full_name
_OPEN_METHODS = ("/grpc.health.v1.Health/", "/grpc.reflection.")
MAX_MESSAGE_BYTES = 4 * 2**20


class CannotListen(Exception):
    """The address to listen on is taken, or is not this machine's."""


def _check_address(host: str, port: int) -> None:
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
                        "server or pick a free port with --port N (--port 0 picks one)"
                    ) from exc
                raise CannotListen(
                    f"cannot listen on {address}: {exc.strerror}; check --host"
                ) from exc


def _max_receive_bytes(settings: Settings) -> int:
    # Any request that could hold an article under the limit (4 UTF-8 bytes per character at
    # most, plus the other fields) must arrive, so that the caller gets the limit in words
    # rather than the transport's "Received message larger than max".
    return max(MAX_MESSAGE_BYTES, 4 * settings.max_article_chars + 2**20)


class ApiKeyInterceptor(grpc.aio.ServerInterceptor):
    """Requires `authorization: Bearer <key>` on every call but health checks and reflection."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._keys = tuple(k.encode() for k in keys)

        async def deny(request: Any, context: grpc.aio.ServicerContext) -> None:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong API key")

        self._deny = deny

    def _allowed(self, metadata: tuple[Any, ...]) -> bool:
        value = dict(metadata or ()).get("authorization", "")
        scheme, _, key = value.partition(" ")
        if scheme.lower() != "bearer" or not key:
            return False
        return any(hmac.compare_digest(key.encode(), k) for k in self._keys)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if details.method.startswith(_OPEN_METHODS) or self._allowed(details.invocation_metadata):
            return handler
        if handler is not None and handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._deny, handler.request_deserializer, handler.response_serializer
            )
        return grpc.unary_unary_rpc_method_handler(
            self._deny,
            handler.request_deserializer if handler else None,
            handler.response_serializer if handler else None,
        )


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


class PrecisServer:
    """The whole server: start() listens at once (NOT_SERVING), load() makes it SERVING."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.state = ServingState(settings, self.metrics)
        self.health = health.aio.HealthServicer()
        self.models: ModelSet | None = None
        self.port = 0
        interceptors = [ApiKeyInterceptor(settings.api_keys)] if settings.api_keys else []
        self.server = grpc.aio.server(
            interceptors=interceptors,
            maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
            options=[
                ("grpc.max_receive_message_length", _max_receive_bytes(settings)),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.so_reuseport", 0),
                # Clients balancing over dns:/// re-resolve when connections age out, so new
                # replicas get traffic after a scale-up.
                ("grpc.max_connection_age_ms", 5 * 60 * 1000),
                ("grpc.max_connection_age_grace_ms", 60 * 1000),
            ],
        )
        pb_grpc.add_SummarizerServicer_to_server(SummarizerServicer(self.state), self.server)
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
        if self.settings.metrics_port:
            self.metrics.serve(self.settings.host, self.settings.metrics_port)
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
        runtime = resolve_runtime(
            Runtime(s.backend, s.device, s.compute_type, s.threads, s.threads_per_call)
        )
        limits = BatchLimits(s.max_batch_tokens, s.max_batch_size, s.max_wait_ms, s.max_queue)
        cache = ResultCache(s.cache_bytes) if s.cache_bytes else None

        def load_all() -> tuple[ModelSet, LanguageDetector]:
            # Models first: each load briefly needs ~65% of its size again, on top of what is
            # already resident (the process's peak memory is set here).
            models = load_model_set(
                profile,
                s.model_dir,
                runtime,
                limits=limits,
                cache=cache,
                observer=self.metrics,
                extractive=s.summarizer == "extractive",
            )
            return models, LanguageDetector(LANGUAGES)

        models, detector = await asyncio.to_thread(load_all)
        self.models = models
        models.start()
        pipeline = Pipeline(models, detector, s)
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
            options = model.options(max_new_tokens=2)
            await model.batcher.run_sync(model.batcher.engine.generate, ["Warm up."], options)

    async def stop(self, grace: float | None = None) -> None:
        """Drain: NOT_SERVING, refuse new calls, let in-flight ones finish, release models."""
        self.state.draining = True
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.settings.grace_seconds if grace is None else grace)
        if self.models is not None:
            await self.models.close()


async def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then drain."""
    limit_arenas(settings.malloc_arenas)
    profile = load_catalog().profile(settings.profile)
    require_models(profile, settings.model_dir, backend=settings.backend)  # fail fast
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
        loading.result()  # a load failure raises here: logged by the caller, exit non-zero
        await stopped
    else:
        loading.cancel()
    log.info("draining (up to %.0fs)", settings.grace_seconds)
    await server.stop()
    log.info("stopped")
