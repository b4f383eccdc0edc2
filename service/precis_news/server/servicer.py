"""The Summarizer servicer: decode the request, call the pipeline, encode the result or error."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc

from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.pipeline import Detection, Pipeline, Summary
from precis_news.pipeline.errors import NotReady
from precis_news.server import wire as convert
from precis_news.server.metrics import Metrics
from precis_news.server.status import status_trailers, to_status
from precis_news.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_REQUEST_ID_CHARS = 128
# The id of the call being served, for every log line it causes (see RequestIdFilter).
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to log records, from the call being served (or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(level: str, *, stream: Any = None) -> None:
    """Log to stderr (or `stream`) with the request id of the call on every line ("-" outside).

    Args:
        level: DEBUG, INFO, WARNING or ERROR.
        stream: where to write; stderr when None.
    """
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())  # on the handler: records of every logger pass it
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


@dataclass
class ServingState:
    """What the handlers need, filled in once the models are loaded."""

    settings: Settings
    metrics: Metrics
    pipeline: Pipeline | None = None
    draining: bool = False
    backend: str = ""
    device: str = ""

    def ready(self) -> Pipeline:
        if self.draining:
            raise NotReady("the server is shutting down; retry on another replica")
        if self.pipeline is None:
            raise NotReady("models are still loading; retry shortly")
        return self.pipeline


def _request_id(context: grpc.aio.ServicerContext) -> str:
    """The caller's x-request-id when it is a short printable token, else a fresh one (it is
    echoed in trailers and logs, so the caller must not choose its size or control characters)."""
    given = str(dict(context.invocation_metadata() or ()).get("x-request-id", ""))
    if 0 < len(given) <= MAX_REQUEST_ID_CHARS and given.isascii() and given.isprintable():
        return given
    return uuid.uuid4().hex


class SummarizerServicer(pb_grpc.SummarizerServicer):
    """precis.v1.Summarizer over a Pipeline; every error goes through status.to_status."""

    def __init__(self, state: ServingState) -> None:
        self.state = state

    async def _guard(
        self, method: str, context: grpc.aio.ServicerContext, work: Callable[[], Awaitable[T]]
    ) -> T:
        request_id = _request_id(context)
        context.set_trailing_metadata((("x-request-id", request_id),))
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            return await work()
        except asyncio.CancelledError:
            code = grpc.StatusCode.CANCELLED
            log.info("%s cancelled by the caller", method)
            raise
        except Exception as exc:
            status = to_status(exc)
            code = status.code
            if code is grpc.StatusCode.INTERNAL:
                log.exception("%s failed", method)
            else:
                log.info("%s -> %s: %s", method, code.name, status.message)
            await context.abort(
                code,
                status.message,
                trailing_metadata=(("x-request-id", request_id), *status_trailers(status)),
            )
            raise AssertionError("unreachable") from exc  # abort raises
        finally:
            elapsed = time.perf_counter() - started
            self.state.metrics.requests.labels(method, code.name).inc()
            self.state.metrics.latency.labels(method).observe(elapsed)
            log.debug("%s %s in %.1f ms", method, code.name, elapsed * 1000)

    async def Summarize(
        self, request: pb.SummarizeRequest, context: grpc.aio.ServicerContext
    ) -> pb.SummarizeResponse:
        async def work() -> pb.SummarizeResponse:
            result = await self.state.ready().summarize(convert.summarize_job(request))
            self.state.metrics.cache_hits.inc(result[2].cache_hits)
            self.state.metrics.count_mismatches(result[2].output_language_mismatches)
            return convert.summarize_response(*result)

        return await self._guard("Summarize", context, work)

    async def StreamSummarize(
        self, request: pb.SummarizeRequest, context: grpc.aio.ServicerContext
    ) -> None:
        # A coroutine that writes, rather than an async generator, so that one _guard covers
        # every error, including those after the first message.
        async def work() -> None:
            detection: Detection | None = None
            async for event in self.state.ready().summarize_stream(convert.summarize_job(request)):
                if isinstance(event, Detection):
                    detection = event
                    continue
                assert detection is not None
                if not isinstance(event, Summary):
                    self.state.metrics.cache_hits.inc(event.cache_hits)
                    self.state.metrics.count_mismatches(event.output_language_mismatches)
                await context.write(convert.stream_event(detection, event))

        await self._guard("StreamSummarize", context, work)

    async def Translate(
        self, request: pb.TranslateRequest, context: grpc.aio.ServicerContext
    ) -> pb.TranslateResponse:
        async def work() -> pb.TranslateResponse:
            detection, translations = await self.state.ready().translate(
                list(request.texts), request.source_language, request.target_language
            )
            return convert.translate_response(detection, translations)

        return await self._guard("Translate", context, work)

    async def DetectLanguage(
        self, request: pb.DetectLanguageRequest, context: grpc.aio.ServicerContext
    ) -> pb.DetectLanguageResponse:
        async def work() -> pb.DetectLanguageResponse:
            pipeline = self.state.ready()
            # DetectLanguageRequest has no source_language for an error to point to.
            detection = await asyncio.to_thread(pipeline.detect, request.text, override=None)
            return convert.detect_response(detection)

        return await self._guard("DetectLanguage", context, work)

    async def GetInfo(
        self, request: pb.GetInfoRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetInfoResponse:
        async def work() -> pb.GetInfoResponse:
            pipeline = self.state.ready()
            return convert.info_response(
                self.state.settings,
                models=pipeline.models.models,
                pairs=pipeline.models.pairs,
                backend=self.state.backend,
                device=self.state.device,
            )

        return await self._guard("GetInfo", context, work)
