"""The one table from every failure to a gRPC status, and the status's rich details."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from precis_models.batching import QueueFull
from precis_news.pipeline.errors import MAX_ECHO_CHARS, BadRequest, NotReady, RequestError, TooLarge


@dataclass(frozen=True)
class Status:
    """What the caller receives."""

    code: grpc.StatusCode
    message: str
    field: str = ""  # the request field at fault (google.rpc.BadRequest)
    retry_after: float | None = None  # seconds (google.rpc.RetryInfo)


INTERNAL_MESSAGE = "internal error; the server log has the details"
# Cap on what a caller's input can make the server write back (status message, trailers) or log.
MAX_MESSAGE_CHARS = 512


@dataclass(frozen=True)
class Outcome:
    """One row of the table: exceptions of `kind` become `code`."""

    kind: type[BaseException]
    code: grpc.StatusCode
    message: str = ""  # what the caller reads; "" = the exception's own message


# First matching row wins; anything else is UNEXPECTED. (A transport's other column, e.g. the
# HTTP status, belongs in these rows.)
STATUS_TABLE: tuple[Outcome, ...] = (
    Outcome(BadRequest, grpc.StatusCode.INVALID_ARGUMENT),
    Outcome(TooLarge, grpc.StatusCode.RESOURCE_EXHAUSTED),
    Outcome(NotReady, grpc.StatusCode.UNAVAILABLE),
    Outcome(QueueFull, grpc.StatusCode.RESOURCE_EXHAUSTED),
    Outcome(asyncio.CancelledError, grpc.StatusCode.CANCELLED, "the call was cancelled"),
    Outcome(TimeoutError, grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed"),
)
UNEXPECTED = Outcome(BaseException, grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)


# A cancelled call whose deadline is this close (seconds) or past was ended by its deadline.
DEADLINE_SLACK_SECONDS = 0.01


def cancelled_code(context: grpc.aio.ServicerContext) -> grpc.StatusCode:
    """The code the caller of a cancelled call saw: DEADLINE_EXCEEDED when its deadline passed
    (gRPC ends such a call by cancelling its handler), else CANCELLED."""
    remaining = context.time_remaining()
    if remaining is not None and remaining <= DEADLINE_SLACK_SECONDS:
        return grpc.StatusCode.DEADLINE_EXCEEDED
    return grpc.StatusCode.CANCELLED


def outcome(exc: BaseException) -> Outcome:
    """The table's row for `exc` (UNEXPECTED when none matches)."""
    return next((row for row in STATUS_TABLE if isinstance(exc, row.kind)), UNEXPECTED)


def clip(text: str, *, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` cut to `limit` characters (with "…"), for messages and log lines."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_status(exc: BaseException) -> Status:
    """The status for any exception raised while serving a call (see STATUS_TABLE).

    Unexpected exceptions become INTERNAL with a generic message; the caller logs them. Messages
    are capped at MAX_MESSAGE_CHARS; a request error names its field (google.rpc.BadRequest), a
    full queue when to retry (google.rpc.RetryInfo).
    """
    row = outcome(exc)
    field = exc.field if isinstance(exc, RequestError) and row is not UNEXPECTED else ""
    return Status(
        row.code,
        row.message or clip(str(exc)),
        field=clip(field, limit=MAX_ECHO_CHARS),
        retry_after=exc.retry_after if isinstance(exc, QueueFull) else None,
    )


def status_trailers(status: Status) -> tuple[tuple[str, bytes], ...]:
    """google.rpc.Status details (BadRequest, RetryInfo) as the standard binary trailer."""
    details = []
    if status.field:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=status.field, description=status.message
        )
        details.append(error_details_pb2.BadRequest(field_violations=[violation]))
    if status.retry_after is not None:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(int(status.retry_after * 1000))
        details.append(error_details_pb2.RetryInfo(retry_delay=delay))
    if not details:
        return ()
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    rich = status_pb2.Status(code=status.code.value[0], message=status.message, details=packed)
    return (("grpc-status-details-bin", rich.SerializeToString()),)
