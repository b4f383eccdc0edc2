"""The precis.v1 methods on protobuf messages, transport-free: gRPC and HTTP both call these."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeAlias

from precis_news._proto import precis_pb2 as pb
from precis_news.pipeline import Detection, Pipeline, Summary
from precis_news.pipeline.errors import NotReady
from precis_news.server import wire as convert
from precis_news.server.callers import CALLER
from precis_news.server.metrics import Metrics
from precis_news.settings import Settings


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


class Methods:
    """One coroutine per precis.v1 method; errors are domain errors (see status.STATUS_TABLE)."""

    def __init__(self, state: ServingState) -> None:
        self.state = state

    async def summarize(self, request: pb.SummarizeRequest) -> pb.SummarizeResponse:
        job = convert.summarize_job(request, caller=CALLER.get())
        result = await self.state.ready().summarize(job)
        self.state.metrics.cache_hits.inc(result.metadata.cache_hits)
        self.state.metrics.count_mismatches(result.metadata.output_language_mismatches)
        self.state.metrics.count_checks(result.summaries)
        return convert.summarize_response(result.detection, result.summaries, result.metadata)

    async def stream_summarize(
        self, request: pb.SummarizeRequest
    ) -> AsyncIterator[pb.SummarizeStreamResponse]:
        detection: Detection | None = None
        job = convert.summarize_job(request, caller=CALLER.get())
        async for event in self.state.ready().summarize_stream(job):
            if isinstance(event, Detection):
                detection = event
                continue
            assert detection is not None
            if isinstance(event, Summary):
                self.state.metrics.count_checks([event])
            else:
                self.state.metrics.cache_hits.inc(event.cache_hits)
                self.state.metrics.count_mismatches(event.output_language_mismatches)
            yield convert.stream_event(detection, event)

    async def translate(self, request: pb.TranslateRequest) -> pb.TranslateResponse:
        detection, translations = await self.state.ready().translate(
            list(request.texts),
            request.source_language,
            request.target_language,
            caller=convert.with_priority(CALLER.get(), request.priority),
        )
        return convert.translate_response(detection, translations)

    async def detect_language(self, request: pb.DetectLanguageRequest) -> pb.DetectLanguageResponse:
        pipeline = self.state.ready()
        # DetectLanguageRequest has no source_language for an error to point to.
        detection = await asyncio.to_thread(pipeline.detect, request.text, override=None)
        return convert.detect_response(detection)

    async def get_info(self, request: pb.GetInfoRequest) -> pb.GetInfoResponse:
        pipeline = self.state.ready()
        return convert.info_response(
            self.state.settings,
            models=pipeline.models.models,
            pairs=pipeline.models.pairs,
            backend=self.state.backend,
            device=self.state.device,
        )


Handler: TypeAlias = Callable[[Methods, Any], Any]  # (methods, request message) -> result

# The Methods function serving each precis.v1.Summarizer RPC, by RPC name: the HTTP gateway
# dispatches through it (http.routes attaches each route's handler) and a test checks it names
# every RPC of the proto's service once.
HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        "Summarize": Methods.summarize,
        "StreamSummarize": Methods.stream_summarize,
        "Translate": Methods.translate,
        "DetectLanguage": Methods.detect_language,
        "GetInfo": Methods.get_info,
    }
)
