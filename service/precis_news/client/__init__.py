"""Python clients for the Précis gRPC API: PrecisClient (blocking), AsyncPrecisClient (asyncio)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeAlias

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from precis_news import CLIENT_API
from precis_news._proto import precis_pb2_grpc
from precis_news.types import (
    DetectLanguageRequest,
    DetectLanguageResponse,
    GetInfoRequest,
    GetInfoResponse,
    Length,
    SummarizeRequest,
    SummarizeResponse,
    SummarizeStreamResponse,
    TranslateRequest,
    TranslateResponse,
)

__all__ = [*CLIENT_API, "ERROR_CLASSES", "error_from_rpc", "retry_after_from_status"]

LengthName: TypeAlias = Literal["short", "medium", "long"]

DEFAULT_TIMEOUT = 60.0
_DETAILS_METADATA_KEY = "grpc-status-details-bin"
# None -> LENGTH_UNSPECIFIED, "short" -> LENGTH_SHORT, ...
_LENGTHS: Mapping[str | None, Length] = {
    name: Length.Value(f"LENGTH_{(name or 'unspecified').upper()}")
    for name in (None, "short", "medium", "long")
}
# Every RPC is a pure function of its request, so retrying UNAVAILABLE (a replica that is loading
# or draining) is safe; round_robin spreads calls over every address `dns:///` resolves to.
_SERVICE_CONFIG = {
    "loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [
        {
            "name": [{"service": "precis.v1.Summarizer"}, {"service": "grpc.health.v1.Health"}],
            "retryPolicy": {
                "maxAttempts": 3,
                "initialBackoff": "0.2s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }
    ],
}
# The server enforces the article size limit with a clear message; do not let the client's own
# 4 MiB default pre-empt it.
_DEFAULT_OPTIONS: Mapping[str, Any] = {
    "grpc.service_config": json.dumps(_SERVICE_CONFIG),
    "grpc.enable_retries": 1,
    "grpc.max_send_message_length": 64 * 2**20,
    "grpc.max_receive_message_length": 64 * 2**20,
}


# -- errors -----------------------------------------------------------------------------------


class PrecisError(Exception):
    """A failed call, with its gRPC status.

    Attributes:
        code: the gRPC status code.
        details: the server's message (what was wrong and what is allowed).
        retry_after: seconds to wait before retrying, when the server said so (RetryInfo).
        status: the rich `google.rpc.Status` sent by the server, if any (for other details such
            as BadRequest field violations).
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        *,
        retry_after: float | None = None,
        status: status_pb2.Status | None = None,
    ) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.retry_after = retry_after
        self.status = status


class InvalidArgument(PrecisError):
    """The request was malformed: empty text, unsupported language, bad length bounds..."""


class ResourceExhausted(PrecisError):
    """The article is too large, or the server is overloaded (see `retry_after`)."""


class Unavailable(PrecisError):
    """The server is loading its models, draining, or cannot be reached."""


class DeadlineExceeded(PrecisError):
    """The call did not finish before its deadline."""


class Cancelled(PrecisError):
    """The call was cancelled."""


class Unauthenticated(PrecisError):
    """The API key is missing or wrong."""


class NotFound(PrecisError):
    """The thing asked for does not exist (e.g. an unknown health service name)."""


class InternalError(PrecisError):
    """A server bug; the details are in the server log."""


# The one place a status code becomes an exception class; codes not listed raise PrecisError.
ERROR_CLASSES: Mapping[grpc.StatusCode, type[PrecisError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.CANCELLED: Cancelled,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.INTERNAL: InternalError,
}


def retry_after_from_status(status: status_pb2.Status | None) -> float | None:
    """The RetryInfo delay carried by a rich status.

    Args:
        status: a `google.rpc.Status`, or None.

    Returns:
        The delay in seconds, or None when the status carries no RetryInfo.
    """
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info.retry_delay.seconds + info.retry_delay.nanos / 1e9
    return None


def _rich_status(error: grpc.RpcError) -> status_pb2.Status | None:
    if isinstance(error, grpc.aio.AioRpcError):
        for key, value in error.trailing_metadata() or ():
            if key == _DETAILS_METADATA_KEY and isinstance(value, bytes):
                return status_pb2.Status.FromString(value)
        return None
    if not isinstance(error, grpc.Call):
        return None
    try:
        return rpc_status.from_call(error)
    except ValueError:  # the rich status disagrees with the call's own: ignore the details
        return None


def error_from_rpc(error: grpc.RpcError) -> PrecisError:
    """Turn a gRPC error (blocking or asyncio) into the matching PrecisError subclass.

    Args:
        error: the error raised by a gRPC call.

    Returns:
        An instance of the class ERROR_CLASSES gives for the code (PrecisError for other codes).
    """
    if isinstance(error, grpc.Call | grpc.aio.AioRpcError):
        code, details = error.code(), error.details()
    else:  # a bare RpcError carries no status
        code, details = grpc.StatusCode.UNKNOWN, str(error)
    status = _rich_status(error)
    cls = ERROR_CLASSES.get(code, PrecisError)
    return cls(code, details or "", retry_after=retry_after_from_status(status), status=status)


# -- requests ---------------------------------------------------------------------------------


def _summarize_request(
    text: str,
    *,
    targets: Sequence[str] | str,
    source_language: str,
    title: str,
    length: LengthName | None,
    min_tokens: int | None,
    max_tokens: int | None,
) -> SummarizeRequest:
    if length not in _LENGTHS:
        raise ValueError(f"length must be short, medium, long or None, got {length!r}")
    request = SummarizeRequest(
        text=text,
        title=title,
        source_language=source_language,
        target_languages=[targets] if isinstance(targets, str) else list(targets),
        length=_LENGTHS[length],
    )
    if min_tokens is not None:
        request.min_tokens = min_tokens
    if max_tokens is not None:
        request.max_tokens = max_tokens
    return request


def _translate_request(
    texts: Sequence[str] | str, *, target: str, source_language: str
) -> TranslateRequest:
    return TranslateRequest(
        texts=[texts] if isinstance(texts, str) else list(texts),
        source_language=source_language,
        target_language=target,
    )


def _status_name(response: health_pb2.HealthCheckResponse) -> str:
    return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)


def _channel_args(
    *,
    root_certificates: bytes | None,
    private_key: bytes | None,
    certificate_chain: bytes | None,
    tls: bool,
    options: Sequence[tuple[str, Any]],
) -> tuple[grpc.ChannelCredentials | None, list[tuple[str, Any]]]:
    if (private_key is None) != (certificate_chain is None):
        raise ValueError("mutual TLS needs both private_key and certificate_chain")
    credentials = None
    if tls or root_certificates or private_key or certificate_chain:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=root_certificates,
            private_key=private_key,
            certificate_chain=certificate_chain,
        )
    merged = {**_DEFAULT_OPTIONS, **dict(options)}
    return credentials, list(merged.items())


class _ClientBase:
    """What both clients share: the channel, its credentials and call settings."""

    _grpc: Any  # the grpc module (blocking) or grpc.aio

    def __init__(
        self,
        *,
        target: str,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        root_certificates: bytes | None = None,
        private_key: bytes | None = None,
        certificate_chain: bytes | None = None,
        tls: bool = False,
        options: Sequence[tuple[str, Any]] = (),
        wait_for_ready: bool = True,
    ) -> None:
        """Open a channel (connections are made lazily, on the first call).

        Args:
            target: "host:port", or "dns:///host:port" to balance over every address the name
                resolves to (round_robin).
            api_key: sent as `authorization: Bearer <key>` metadata.
            timeout: default deadline of every call, in seconds.
            root_certificates: PEM CA bundle to verify the server with; enables TLS.
            private_key: PEM client key for mutual TLS (with certificate_chain).
            certificate_chain: PEM client certificate chain for mutual TLS (with private_key).
            tls: use TLS with the system's root certificates even if no PEM is given.
            options: extra gRPC channel options; they override this client's defaults.
            wait_for_ready: calls wait (up to their deadline) for a server that is not reachable
                yet, as long-running programs want; False fails at once with Unavailable, as a
                command line wants.

        Raises:
            ValueError: a non-positive timeout, or only one of private_key / certificate_chain.
        """
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.target = target
        self.timeout = timeout
        self.wait_for_ready = wait_for_ready
        self._metadata: tuple[tuple[str, str], ...] | None = (
            (("authorization", f"Bearer {api_key}"),) if api_key else None
        )
        credentials, channel_options = _channel_args(
            root_certificates=root_certificates,
            private_key=private_key,
            certificate_chain=certificate_chain,
            tls=tls,
            options=options,
        )
        if credentials is None:
            self._channel = self._grpc.insecure_channel(target, options=channel_options)
        else:
            self._channel = self._grpc.secure_channel(target, credentials, options=channel_options)
        self._stub = precis_pb2_grpc.SummarizerStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    def _call_kwargs(self, timeout: float | None, *, probe: bool = False) -> dict[str, Any]:
        # Health checks never wait for a connection: a probe must fail fast on a dead server.
        return {
            "timeout": self.timeout if timeout is None else timeout,
            "metadata": self._metadata,
            "wait_for_ready": self.wait_for_ready and not probe,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(target={self.target!r})"


# -- blocking client --------------------------------------------------------------------------


class PrecisClient(_ClientBase):
    """Blocking client for a Précis server.

    Every call waits for the channel to be ready (`wait_for_ready`) up to its deadline, so a
    server that is still starting is waited for rather than failed fast.

    Example:
        >>> with PrecisClient(target="127.0.0.1:50051") as client:  # doctest: +SKIP
        ...     response = client.summarize(article, targets=["fr", "uk"])
    """

    _grpc: Any = grpc

    def _call(
        self, method: Any, request: Any, timeout: float | None, *, probe: bool = False
    ) -> Any:
        """Run one unary call; every gRPC error becomes its PrecisError subclass (one place)."""
        try:
            return method(request, **self._call_kwargs(timeout, probe=probe))
        except grpc.RpcError as error:
            raise error_from_rpc(error) from error

    def summarize(
        self,
        text: str,
        *,
        targets: Sequence[str] | str = (),
        source_language: str = "",
        title: str = "",
        length: LengthName | None = "medium",
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        timeout: float | None = None,
    ) -> SummarizeResponse:
        """Summarize one article into one or more languages.

        Args:
            text: the article body.
            targets: languages of the summaries ("en", "fr", "uk", "ru"); empty means the
                source language. A single string is one language.
            source_language: language of the article; empty means detect it.
            title: optional headline, prepended to the text.
            length: "short", "medium" or "long"; None leaves it to the server.
            min_tokens: optional lower bound on the summary length (summarizer tokens).
            max_tokens: optional upper bound on the summary length (summarizer tokens).
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            The summaries, in target order, with the detected language and metadata.

        Raises:
            ValueError: an unknown `length`.
            PrecisError: the call failed; the subclass tells why (InvalidArgument,
                ResourceExhausted, Unavailable, DeadlineExceeded, Unauthenticated...).
        """
        request = _summarize_request(
            text,
            targets=targets,
            source_language=source_language,
            title=title,
            length=length,
            min_tokens=min_tokens,
            max_tokens=max_tokens,
        )
        return self._call(self._stub.Summarize, request, timeout)

    def stream_summarize(
        self,
        text: str,
        *,
        targets: Sequence[str] | str = (),
        source_language: str = "",
        title: str = "",
        length: LengthName | None = "medium",
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        timeout: float | None = None,
    ) -> Iterator[SummarizeStreamResponse]:
        """Like summarize, but yield each language's summary as soon as it is ready.

        Args:
            text, targets, source_language, title, length, min_tokens, max_tokens, timeout:
                as for `summarize`; the deadline covers the whole stream.

        Returns:
            An iterator of messages: one per summary, then one with the metadata. Closing it
            early (or dropping it) cancels the call.

        Raises:
            ValueError: an unknown `length` (at once).
            PrecisError: the call failed (while iterating).
        """
        request = _summarize_request(
            text,
            targets=targets,
            source_language=source_language,
            title=title,
            length=length,
            min_tokens=min_tokens,
            max_tokens=max_tokens,
        )
        call = self._stub.StreamSummarize(request, **self._call_kwargs(timeout))
        return _iterate(call)

    def translate(
        self,
        texts: Sequence[str] | str,
        *,
        target: str,
        source_language: str = "",
        timeout: float | None = None,
    ) -> TranslateResponse:
        """Translate texts, each on its own, into one language.

        Args:
            texts: the texts (a single string is one text).
            target: language to translate into.
            source_language: language of all texts; empty means detect it.
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            One translation per text, in order, with the source language.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        request = _translate_request(texts, target=target, source_language=source_language)
        return self._call(self._stub.Translate, request, timeout)

    def detect_language(self, text: str, *, timeout: float | None = None) -> DetectLanguageResponse:
        """Detect the language of a text among the supported ones.

        Args:
            text: the text.
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            The most likely language, its confidence and every language's score.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        return self._call(self._stub.DetectLanguage, DetectLanguageRequest(text=text), timeout)

    def info(self, *, timeout: float | None = None) -> GetInfoResponse:
        """Describe the server: languages, pairs, models, limits, backend and device.

        Args:
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            The server's description.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        return self._call(self._stub.GetInfo, GetInfoRequest(), timeout)

    def health(self, service: str = "", *, timeout: float | None = None) -> str:
        """Ask the standard grpc.health.v1 service how the server is.

        Args:
            service: the service name; "" is the server as a whole.
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            The status name: "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN".

        Raises:
            NotFound: the server does not know `service`.
            PrecisError: the call failed otherwise.
        """
        request = health_pb2.HealthCheckRequest(service=service)
        return _status_name(self._call(self._health.Check, request, timeout, probe=True))

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> PrecisClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _iterate(call: Any) -> Iterator[SummarizeStreamResponse]:
    try:
        yield from call
    except grpc.RpcError as error:
        raise error_from_rpc(error) from error
    finally:
        call.cancel()  # a no-op once the stream has ended; frees the server's work otherwise


# -- asyncio client ---------------------------------------------------------------------------


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
        try:
            return await method(request, **self._call_kwargs(timeout, probe=probe))
        except grpc.RpcError as error:
            raise error_from_rpc(error) from error

    async def summarize(
        self,
        text: str,
        *,
        targets: Sequence[str] | str = (),
        source_language: str = "",
        title: str = "",
        length: LengthName | None = "medium",
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        timeout: float | None = None,
    ) -> SummarizeResponse:
        """Async form of `PrecisClient.summarize`: same arguments, result and errors."""
        request = _summarize_request(
            text,
            targets=targets,
            source_language=source_language,
            title=title,
            length=length,
            min_tokens=min_tokens,
            max_tokens=max_tokens,
        )
        return await self._call(self._stub.Summarize, request, timeout)

    def stream_summarize(
        self,
        text: str,
        *,
        targets: Sequence[str] | str = (),
        source_language: str = "",
        title: str = "",
        length: LengthName | None = "medium",
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[SummarizeStreamResponse]:
        """Async form of `PrecisClient.stream_summarize`: same arguments, result and errors."""
        request = _summarize_request(
            text,
            targets=targets,
            source_language=source_language,
            title=title,
            length=length,
            min_tokens=min_tokens,
            max_tokens=max_tokens,
        )
        return self._stream(request, self._call_kwargs(timeout))

    async def _stream(
        self, request: SummarizeRequest, kwargs: dict[str, Any]
    ) -> AsyncIterator[SummarizeStreamResponse]:
        call = self._stub.StreamSummarize(request, **kwargs)
        try:
            async for message in call:
                yield message
        except grpc.RpcError as error:
            raise error_from_rpc(error) from error
        finally:
            call.cancel()

    async def translate(
        self,
        texts: Sequence[str] | str,
        *,
        target: str,
        source_language: str = "",
        timeout: float | None = None,
    ) -> TranslateResponse:
        """Translate texts, each on its own, into one language.

        Args:
            texts: the texts (a single string is one text).
            target: language to translate into.
            source_language: language of all texts; empty means detect it.
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            One translation per text, in order, with the source language.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        request = _translate_request(texts, target=target, source_language=source_language)
        return await self._call(self._stub.Translate, request, timeout)

    async def detect_language(
        self, text: str, *, timeout: float | None = None
    ) -> DetectLanguageResponse:
        """Async form of `PrecisClient.detect_language`: same arguments, result and errors."""
        request = DetectLanguageRequest(text=text)
        return await self._call(self._stub.DetectLanguage, request, timeout)

    async def info(self, *, timeout: float | None = None) -> GetInfoResponse:
        """Async form of `PrecisClient.info`: same arguments, result and errors."""
        return await self._call(self._stub.GetInfo, GetInfoRequest(), timeout)

    async def health(self, service: str = "", *, timeout: float | None = None) -> str:
        """Async form of `PrecisClient.health`: same arguments, result and errors."""
        request = health_pb2.HealthCheckRequest(service=service)
        response = await self._call(self._health.Check, request, timeout, probe=True)
        return _status_name(response)

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
