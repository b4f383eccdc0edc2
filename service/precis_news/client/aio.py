"""AsyncPrecisClient: the asyncio client, with PrecisClient's methods, awaitable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import grpc
from grpc_health.v1 import health_pb2

from precis_news import types as messages
from precis_news.client.channel import _ClientBase, status_name
from precis_news.client.errors import raised_as_precis_errors
from precis_news.client.requests import (
    Prepared,
    detect_arguments,
    summarize_arguments,
    takes,
    translate_arguments,
)


class AsyncPrecisClient(_ClientBase):
    """Asyncio client for a Précis server; the same methods as PrecisClient, awaitable.

    Create it inside the event loop that uses it.

    Example:
        >>> async with AsyncPrecisClient(target="dns:///precis:50051") as client:  # doctest: +SKIP
        ...     async for message in client.stream_summarize(article, targets=["fr"]):
        ...         ...
    """

    _grpc: Any = grpc.aio

    async def _call(
        self, method: Any, request: Any, timeout: float | None, *, probe: bool = False
    ) -> Any:
        """Run one unary call; every gRPC error becomes its PrecisError subclass (one place)."""
        if not probe:
            await self._connect()
        with raised_as_precis_errors():
            return await method(request, **self._call_kwargs(timeout, probe=probe))

    async def _connect(self) -> None:
        """Wait up to connect_timeout for the first connection (see _ClientBase)."""
        if self._connected:
            return
        try:
            await asyncio.wait_for(self._channel.channel_ready(), self.connect_timeout)
        except TimeoutError:
            raise self._not_ready(await self._why_not()) from None
        self._connected = True

    async def _why_not(self) -> grpc.RpcError | None:
        """gRPC's reason for not connecting: a health check that does not wait says it."""
        request = health_pb2.HealthCheckRequest()
        try:
            await self._health.Check(request, timeout=2, wait_for_ready=False)
        except grpc.RpcError as error:
            return error
        return None

    @takes(summarize_arguments)
    async def summarize(
        self, call: Prepared[messages.SummarizeRequest]
    ) -> messages.SummarizeResponse:
        """Async form of `PrecisClient.summarize`: same arguments, result and errors."""
        return await self._call(self._stub.Summarize, call.request, call.timeout)

    @takes(summarize_arguments)
    def stream_summarize(
        self, call: Prepared[messages.SummarizeRequest]
    ) -> AsyncIterator[messages.SummarizeStreamResponse]:
        """Async form of `PrecisClient.stream_summarize`: same arguments, result and errors."""
        return self._stream(call.request, self._call_kwargs(call.timeout))

    async def _stream(
        self, request: messages.SummarizeRequest, kwargs: dict[str, Any]
    ) -> AsyncIterator[messages.SummarizeStreamResponse]:
        await self._connect()
        call = self._stub.StreamSummarize(request, **kwargs)
        try:
            with raised_as_precis_errors():
                async for message in call:
                    yield message
        finally:
            call.cancel()

    @takes(translate_arguments)
    async def translate(
        self, call: Prepared[messages.TranslateRequest]
    ) -> messages.TranslateResponse:
        """Async form of `PrecisClient.translate`: same arguments, result and errors."""
        return await self._call(self._stub.Translate, call.request, call.timeout)

    @takes(detect_arguments)
    async def detect_language(
        self, call: Prepared[messages.DetectLanguageRequest]
    ) -> messages.DetectLanguageResponse:
        """Async form of `PrecisClient.detect_language`: same arguments, result and errors."""
        return await self._call(self._stub.DetectLanguage, call.request, call.timeout)

    async def info(self, *, timeout: float | None = None) -> messages.GetInfoResponse:
        """Async form of `PrecisClient.info`: same arguments, result and errors."""
        return await self._call(self._stub.GetInfo, messages.GetInfoRequest(), timeout)

    async def health(self, service: str = "", *, timeout: float | None = None) -> str:
        """Async form of `PrecisClient.health`: same arguments, result and errors."""
        request = health_pb2.HealthCheckRequest(service=service)
        response = await self._call(self._health.Check, request, timeout, probe=True)
        return status_name(response)

    async def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        await self._channel.close()

    async def __aenter__(self) -> AsyncPrecisClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
