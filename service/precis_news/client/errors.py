"""The client's exceptions: one PrecisError subclass per gRPC status code, built from RpcErrors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

_DETAILS_METADATA_KEY = "grpc-status-details-bin"


class PrecisError(Exception):
    """A failed call, with its gRPC status.

    Attributes:
        code: the gRPC status code.
        details: the server's message (what was wrong and what is allowed).
        retry_after: seconds to wait before retrying, when the server said so (RetryInfo).
        status: the rich `google.rpc.Status` sent by the server, if any (for other details such
            as BadRequest field violations).
        answered: the status came from a server, with trailing metadata (a Précis server sends
            at least its x-request-id); False when gRPC made it up on this side, for a server
            that could not be reached (refused connection, unknown host, failed TLS handshake).
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        *,
        retry_after: float | None = None,
        status: status_pb2.Status | None = None,
        answered: bool = False,
    ) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.retry_after = retry_after
        self.status = status
        self.answered = answered


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
        # gRPC's own failures (no connection, DNS, TLS) end the call with no trailers at all.
        answered = bool(error.trailing_metadata())
    else:  # a bare RpcError carries no status
        code, details, answered = grpc.StatusCode.UNKNOWN, str(error), False
    status = _rich_status(error)
    cls = ERROR_CLASSES.get(code, PrecisError)
    return cls(
        code,
        details or "",
        retry_after=retry_after_from_status(status),
        status=status,
        answered=answered,
    )


@contextlib.contextmanager
def raised_as_precis_errors() -> Iterator[None]:
    """Every gRPC error raised in the block leaves it as its PrecisError subclass."""
    try:
        yield
    except grpc.RpcError as error:
        raise error_from_rpc(error) from error
