"""The Summarizer servicer: the gRPC face of server.methods (status and request id in trailers)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import grpc

from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.server import callers, calls
from precis_news.server.methods import Methods, ServingState
from precis_news.server.status import cancelled_code, status_trailers

P = ParamSpec("P")
T = TypeVar("T")


class SummarizerServicer(pb_grpc.SummarizerServicer):
    """precis.v1.Summarizer over Methods; every error goes through status.to_status."""

    def __init__(self, state: ServingState) -> None:
        self.state = state
        self.methods = Methods(state)

    async def _serve(
        self,
        method: str,
        context: grpc.aio.ServicerContext,
        handler: Callable[P, Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`handler(*args, **kwargs)` as the call `method`: request id, status table, metrics."""
        metadata = dict(context.invocation_metadata() or ())
        request_id = calls.request_id(str(metadata.get("x-request-id", "")))
        context.set_trailing_metadata((("x-request-id", request_id),))
        callers.CALLER.set(callers.grpc_caller(context, keyed=bool(self.state.settings.api_keys)))
        try:
            return await calls.serve_call(
                method,
                functools.partial(handler, *args, **kwargs),
                request_id=request_id,
                metrics=self.state.metrics,
                cancelled=lambda: cancelled_code(context),
                carrier=metadata,
            )
        except calls.CallFailed as failed:
            status = failed.status
            await context.abort(
                status.code,
                status.message,
                trailing_metadata=(("x-request-id", request_id), *status_trailers(status)),
            )
            raise AssertionError("unreachable") from failed  # abort raises

    async def Summarize(
        self, request: pb.SummarizeRequest, context: grpc.aio.ServicerContext
    ) -> pb.SummarizeResponse:
        return await self._serve("Summarize", context, self.methods.summarize, request)

    async def StreamSummarize(
        self, request: pb.SummarizeRequest, context: grpc.aio.ServicerContext
    ) -> None:
        await self._serve("StreamSummarize", context, self._write_stream, request, context)

    async def _write_stream(
        self, request: pb.SummarizeRequest, context: grpc.aio.ServicerContext
    ) -> None:
        # A coroutine that writes, rather than an async generator, so that one _serve covers
        # every error, including those after the first message.
        async for message in self.methods.stream_summarize(request):
            await context.write(message)

    async def Translate(
        self, request: pb.TranslateRequest, context: grpc.aio.ServicerContext
    ) -> pb.TranslateResponse:
        return await self._serve("Translate", context, self.methods.translate, request)

    async def DetectLanguage(
        self, request: pb.DetectLanguageRequest, context: grpc.aio.ServicerContext
    ) -> pb.DetectLanguageResponse:
        return await self._serve("DetectLanguage", context, self.methods.detect_language, request)

    async def GetInfo(
        self, request: pb.GetInfoRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetInfoResponse:
        return await self._serve("GetInfo", context, self.methods.get_info, request)
