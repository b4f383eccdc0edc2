"""The one table from every failure to a gRPC status and HTTP status, and the rich details."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from precis_models.batching import DeadlineUnmeetable, QueueFull
from precis_news.pipeline.errors import MAX_ECHO_CHARS, BadRequest, NotReady, RequestError, TooLarge


@dataclass(frozen=True)
class Status:
    """What the caller receives."""

    code: grpc.StatusCode
    message: str
    field: str = ""  # the request field at fault (google.rpc.BadRequest)
    retry_after: float | None = None  # seconds (google.rpc.RetryInfo)
    http: int = 0  # the HTTP status; 0 = the code's usual one (see HTTP_STATUS)


INTERNAL_MESSAGE = "internal error; the server log has the details"
# Cap on what a caller's input can make the server write back (status message, trailers) or log.
MAX_MESSAGE_CHARS = 512


@dataclass(frozen=True)
class Outcome:
    """One row of the table: exceptions of `kind` become `code`, and `http` over HTTP/JSON."""

    kind: type[BaseException]
    code: grpc.StatusCode
    http: int
    message: str = ""  # what the caller reads; "" = the exception's own message


class SlowRequest(Exception):
    """An HTTP request body did not arrive in time (a slow or stalled sender)."""


# 499 is nginx's "client closed request": nobody reads it (the caller has gone), it is for the
# metrics and logs, where a cancelled call must not look like a server error.
CLIENT_CLOSED = 499

# First matching row wins; anything else is UNEXPECTED.
STATUS_TABLE: tuple[Outcome, ...] = (
    Outcome(BadRequest, grpc.StatusCode.INVALID_ARGUMENT, 400),
    Outcome(TooLarge, grpc.StatusCode.RESOURCE_EXHAUSTED, 413),  # retrying cannot help
    Outcome(NotReady, grpc.StatusCode.UNAVAILABLE, 503),
    Outcome(QueueFull, grpc.StatusCode.RESOURCE_EXHAUSTED, 429),  # retrying helps (Retry-After)
    # Refused at admission: the caller's deadline comes before its work could be done.
    Outcome(DeadlineUnmeetable, grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    Outcome(
        asyncio.CancelledError, grpc.StatusCode.CANCELLED, CLIENT_CLOSED, "the call was cancelled"
    ),
    Outcome(TimeoutError, grpc.StatusCode.DEADLINE_EXCEEDED, 504, "the deadline passed"),
    # An HTTP caller that disconnects mid-stream: its writes fail (ClientConnectionResetError).
    Outcome(ConnectionResetError, grpc.StatusCode.CANCELLED, CLIENT_CLOSED, "the caller went away"),
    Outcome(
        SlowRequest, grpc.StatusCode.DEADLINE_EXCEEDED, 408, "the request body arrived too slowly"
    ),
)
UNEXPECTED = Outcome(BaseException, grpc.StatusCode.INTERNAL, 500, INTERNAL_MESSAGE)

# The HTTP status of a code where no row says otherwise (the guard's refusals, a budget's
# RESOURCE_EXHAUSTED is 429 because retrying helps).
HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.CANCELLED: CLIENT_CLOSED,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.UNIMPLEMENTED: 501,
}


def http_status(status: Status) -> int:
    """The HTTP status of `status`: its row's, else the code's usual one, else 500."""
    return status.http or HTTP_STATUS.get(status.code, 500)


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
        http=row.http,
    )


def rich_status(status: Status) -> status_pb2.Status:
    """`status` as a google.rpc.Status with its details (BadRequest, RetryInfo)."""
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
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    return status_pb2.Status(code=status.code.value[0], message=status.message, details=packed)


def status_trailers(status: Status) -> tuple[tuple[str, bytes], ...]:
    """google.rpc.Status details (BadRequest, RetryInfo) as the standard binary trailer."""
    rich = rich_status(status)
    if not rich.details:
        return ()
    return (("grpc-status-details-bin", rich.SerializeToString()),)
