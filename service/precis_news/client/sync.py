"""PrecisClient: the blocking client."""

from __future__ import annotations

from collections.abc import Iterator
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


class PrecisClient(_ClientBase):
    """Blocking client for a Précis server.

    Every call waits for the channel to be ready (`wait_for_ready`), so a server that is still
    starting is waited for rather than failed fast: the first call up to `connect_timeout`
    (then Unavailable names the address), later ones up to their deadline.

    Example:
        >>> with PrecisClient(target="127.0.0.1:50051") as client:  # doctest: +SKIP
        ...     response = client.summarize(article, targets=["fr", "uk"])
    """

    _grpc: Any = grpc

    def _call(
        self, method: Any, request: Any, timeout: float | None, *, probe: bool = False
    ) -> Any:
        """Run one unary call; every gRPC error becomes its PrecisError subclass (one place)."""
        if not probe:
            self._connect()
        with raised_as_precis_errors():
            return method(request, **self._call_kwargs(timeout, probe=probe))

    def _connect(self) -> None:
        """Wait up to connect_timeout for the first connection (see _ClientBase)."""
        if self._connected:
            return
        # A health check that waits for the connection, rather than grpc.channel_ready_future:
        # that one polls from a thread of its own, which fails if the channel closes under it.
        try:
            self._health.Check(
                health_pb2.HealthCheckRequest(), timeout=self.connect_timeout, wait_for_ready=True
            )
        except grpc.RpcError as error:
            unreached = (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE)
            if error.code() in unreached:  # type: ignore[attr-defined]
                raise self._not_ready(self._why_not()) from None
            # Any other answer (a server without the health service, say) came over a connection.
        self._connected = True

    def _why_not(self) -> grpc.RpcError | None:
        """gRPC's reason for not connecting: a health check that does not wait says it."""
        try:
            self._health.Check(health_pb2.HealthCheckRequest(), timeout=2, wait_for_ready=False)
        except grpc.RpcError as error:
            return error
        return None

    @takes(summarize_arguments)
    def summarize(self, call: Prepared[messages.SummarizeRequest]) -> messages.SummarizeResponse:
        """Summarize one article into one or more languages.

        Args:
            text: the article body (or give `html` instead).
            html: the article as an HTML page instead of `text`: the server extracts its text
                and title (metadata.html_extracted); it never fetches URLs (see
                precis_news.client.fetch for fetching a page).
            targets: languages of the summaries ("en", "fr", "uk", "ru"); empty means the
                source language. A string may name several: "fr,uk".
            source_language: language of the article; empty means detect it.
            title: optional headline, prepended to the text.
            length: "short", "medium" or "long"; None leaves it to the server.
            min_tokens: optional lower bound on the summary length (summarizer tokens).
            max_tokens: optional upper bound on the summary length (summarizer tokens); alone,
                the length preset's minimum is lowered to fit under it.
            include_sources: list each summary sentence's article sentences (Summary.sources).
            priority: "interactive" (a person waits; None, the default, means it too) or
                "batch" (a corpus run: the server runs interactive work first, and gives each
                caller a fair share).
            timeout: deadline in seconds for this call (default: the client's); the server
                refuses at once (DeadlineExceeded) a call it cannot finish in time.

        Returns:
            The summaries, in target order, with the detected language and metadata.

        Raises:
            ValueError: an unknown `length` or `priority`.
            InvalidArgument: also raised before sending, for text that is not valid Unicode.
            PrecisError: the call failed; the subclass tells why (InvalidArgument,
                ResourceExhausted, Unavailable, DeadlineExceeded, Unauthenticated...).
        """
        return self._call(self._stub.Summarize, call.request, call.timeout)

    @takes(summarize_arguments)
    def stream_summarize(
        self, call: Prepared[messages.SummarizeRequest]
    ) -> Iterator[messages.SummarizeStreamResponse]:
        """Like summarize, but yield each language's summary as soon as it is ready.

        Args:
            text, html, targets, source_language, title, length, min_tokens, max_tokens,
                include_sources, timeout: as for `summarize`; the deadline covers the whole stream.

        Returns:
            An iterator of messages: one per summary, then one with the metadata. Closing it
            early (or dropping it) cancels the call.

        Raises:
            ValueError: an unknown `length` (at once).
            PrecisError: the call failed (while iterating).
        """
        self._connect()
        stream = self._stub.StreamSummarize(call.request, **self._call_kwargs(call.timeout))
        return _iterate(stream)

    @takes(translate_arguments)
    def translate(self, call: Prepared[messages.TranslateRequest]) -> messages.TranslateResponse:
        """Translate texts, each on its own, into one language.

        Args:
            texts: the texts (a single string is one text).
            target: language to translate into.
            source_language: language of all texts; empty means detect it.
            priority: "interactive" (None, the default, means it too) or "batch" (see
                `summarize`).
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            One translation per text, in order, with the source language.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        return self._call(self._stub.Translate, call.request, call.timeout)

    @takes(detect_arguments)
    def detect_language(
        self, call: Prepared[messages.DetectLanguageRequest]
    ) -> messages.DetectLanguageResponse:
        """Detect the language of a text among the supported ones.

        Args:
            text: the text.
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            The most likely language, its confidence and every language's score.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        return self._call(self._stub.DetectLanguage, call.request, call.timeout)

    def info(self, *, timeout: float | None = None) -> messages.GetInfoResponse:
        """Describe the server: languages, pairs, models, limits, backend and device.

        Args:
            timeout: deadline in seconds for this call (default: the client's).

        Returns:
            The server's description.

        Raises:
            PrecisError: the call failed (see `summarize`).
        """
        return self._call(self._stub.GetInfo, messages.GetInfoRequest(), timeout)

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
        return status_name(self._call(self._health.Check, request, timeout, probe=True))

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._connected = True  # a closed channel is not waited for: calls fail at once
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


def _iterate(call: Any) -> Iterator[messages.SummarizeStreamResponse]:
    try:
        with raised_as_precis_errors():
            yield from call
    finally:
        call.cancel()  # a no-op once the stream has ended; frees the server's work otherwise
