"""The status table: every domain error and failure to its code, messages capped, details."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from precis_models.batching import QueueFull
from precis_news.pipeline import errors
from precis_news.server.status import (
    INTERNAL_MESSAGE,
    MAX_MESSAGE_CHARS,
    STATUS_TABLE,
    Status,
    status_trailers,
    to_status,
)


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (errors.BadRequest("bad", field="text"), grpc.StatusCode.INVALID_ARGUMENT, "bad"),
        (errors.TooLarge("big", field="text"), grpc.StatusCode.RESOURCE_EXHAUSTED, "big"),
        (errors.NotReady("loading"), grpc.StatusCode.UNAVAILABLE, "loading"),
        (
            QueueFull("tiny-bart", retry_after=1.5),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "tiny-bart is at capacity; retry in 1.5s",
        ),
        (asyncio.CancelledError(), grpc.StatusCode.CANCELLED, "the call was cancelled"),
        (TimeoutError(), grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed"),
        (RuntimeError("secret internals"), grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE),
        (errors.RequestError("no subclass"), grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE),
    ],
)
def test_every_failure_has_its_code_and_message(
    exc: BaseException, code: grpc.StatusCode, message: str
) -> None:
    status = to_status(exc)
    assert (status.code, status.message) == (code, message)


def test_every_domain_error_has_a_row() -> None:
    domain = {
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.RequestError)
    }
    assert domain - {errors.RequestError} <= {row.kind for row in STATUS_TABLE}


def test_request_errors_name_their_field_and_full_queues_when_to_retry() -> None:
    assert to_status(errors.BadRequest("bad", field="length")).field == "length"
    assert to_status(errors.TooLarge("big")).field == ""
    assert to_status(errors.RequestError("x", field="text")).field == ""  # unexpected: nothing
    full = to_status(QueueFull("m", retry_after=2.0))
    assert (full.retry_after, full.field) == (2.0, "")
    assert to_status(errors.BadRequest("bad")).retry_after is None


def test_messages_and_fields_are_capped() -> None:
    status = to_status(errors.BadRequest("x" * 10_000, field="f" * 10_000))
    assert len(status.message) == MAX_MESSAGE_CHARS and status.message.endswith("…")
    assert len(status.field) == errors.MAX_ECHO_CHARS


def _details(status: Status) -> list[object]:
    [(key, value)] = status_trailers(status)
    assert key == "grpc-status-details-bin"
    rich = status_pb2.Status.FromString(value)
    assert (rich.code, rich.message) == (status.code.value[0], status.message)
    out: list[object] = []
    for detail in rich.details:
        for kind in (error_details_pb2.BadRequest, error_details_pb2.RetryInfo):
            message = kind()
            if detail.Unpack(message):
                out.append(message)
    return out


def test_a_field_becomes_a_bad_request_field_violation() -> None:
    [bad] = _details(to_status(errors.BadRequest("unknown length", field="length")))
    assert isinstance(bad, error_details_pb2.BadRequest)
    [violation] = bad.field_violations
    assert (violation.field, violation.description) == ("length", "unknown length")


def test_a_retry_after_becomes_retry_info() -> None:
    [retry] = _details(to_status(QueueFull("m", retry_after=1.5)))
    assert isinstance(retry, error_details_pb2.RetryInfo)
    assert retry.retry_delay.ToMilliseconds() == 1500


def test_no_details_no_trailer() -> None:
    assert status_trailers(to_status(RuntimeError("x"))) == ()
    assert status_trailers(to_status(errors.NotReady("loading"))) == ()


@pytest.mark.parametrize(
    ("exc", "http"),
    [
        (errors.BadRequest("bad"), 400),
        (errors.TooLarge("big"), 413),  # the size limit: retrying cannot help
        (QueueFull("m", retry_after=1.0), 429),  # retrying helps
        (errors.NotReady("loading"), 503),
        (TimeoutError(), 504),
        (asyncio.CancelledError(), 499),
        (ConnectionResetError(), 499),
        (RuntimeError("boom"), 500),
    ],
)
def test_every_row_has_its_http_status(exc: BaseException, http: int) -> None:
    from precis_news.server.status import http_status

    assert http_status(to_status(exc)) == http


def test_refusals_without_a_row_use_the_codes_http_status() -> None:
    from precis_news.server.status import http_status

    assert http_status(Status(grpc.StatusCode.UNAUTHENTICATED, "key")) == 401
    assert http_status(Status(grpc.StatusCode.RESOURCE_EXHAUSTED, "busy", retry_after=1)) == 429
    assert http_status(Status(grpc.StatusCode.DATA_LOSS, "?")) == 500
