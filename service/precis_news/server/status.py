"""Product errors and the one table that maps every failure to a gRPC status."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from precis_models.batching import QueueFull


class PrecisError(Exception):
    """A failure the caller can act on; its message is shown to them."""

    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class InvalidArgument(PrecisError):
    """The request is wrong (empty text, unknown language, bad bounds, ...)."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class TooLarge(PrecisError):
    """The request is larger than the server accepts."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(PrecisError):
    """Models are loading or the server is draining."""

    code = grpc.StatusCode.UNAVAILABLE


@dataclass(frozen=True)
class Status:
    """What the caller receives."""

    code: grpc.StatusCode
    message: str
    field: str = ""  # the request field at fault (google.rpc.BadRequest)
    retry_after: float | None = None  # seconds (google.rpc.RetryInfo)


INTERNAL_MESSAGE = "internal error; the server log has the details"
# Caps on what a caller's input can make the server write back (status message, trailers) or log:
# a 100,000-character language code must not become a 100 KB log line or oversized trailers.
MAX_MESSAGE_CHARS = 512
MAX_ECHO_CHARS = 40


def echo(value: str, *, limit: int = MAX_ECHO_CHARS) -> str:
    """`repr(value)` for an error message, cut to `limit` characters of the value.

    Args:
        value: what the caller sent (a language code, an enum name, ...).
        limit: how many of its characters to show.

    Returns:
        The quoted value, with "… (N characters)" when it was cut.
    """
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value)} characters)"


def clip(text: str, *, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` cut to `limit` characters (with "…"), for messages and log lines."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_status(exc: BaseException) -> Status:
    """The status for any exception raised while serving a call (one table, one place).

    Unexpected exceptions become INTERNAL with a generic message; the caller logs them. Messages
    are capped at MAX_MESSAGE_CHARS.
    """
    match exc:
        case PrecisError():
            return Status(exc.code, clip(str(exc)), field=clip(exc.field, limit=MAX_ECHO_CHARS))
        case QueueFull():
            return Status(
                grpc.StatusCode.RESOURCE_EXHAUSTED, clip(str(exc)), retry_after=exc.retry_after
            )
        case asyncio.CancelledError():
            return Status(grpc.StatusCode.CANCELLED, "the call was cancelled")
        case TimeoutError():
            return Status(grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed")
        case _:
            return Status(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)


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
