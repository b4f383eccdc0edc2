"""Product errors and the one table that maps every failure to a gRPC status."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc

from precis_news.models.batching import QueueFull


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


def to_status(exc: BaseException) -> Status:
    """The status for any exception raised while serving a call (one table, one place).

    Unexpected exceptions become INTERNAL with a generic message; the caller logs them.
    """
    match exc:
        case PrecisError():
            return Status(exc.code, str(exc), field=exc.field)
        case QueueFull():
            return Status(grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc), retry_after=exc.retry_after)
        case asyncio.CancelledError():
            return Status(grpc.StatusCode.CANCELLED, "the call was cancelled")
        case TimeoutError():
            return Status(grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed")
        case _:
            return Status(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
