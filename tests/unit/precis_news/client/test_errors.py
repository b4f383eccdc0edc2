"""error_from_rpc on fabricated gRPC errors (blocking and asyncio): classes, RetryInfo,
BadRequest details, and whether a server answered."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from precis_news.client import (
    ERROR_CLASSES,
    InvalidArgument,
    PrecisError,
    ResourceExhausted,
    Unavailable,
    error_from_rpc,
    retry_after_from_status,
)
from precis_news.client.errors import raised_as_precis_errors
from tests.support import busy_status

Trailers = tuple[tuple[str, str | bytes], ...]


class FailedCall(grpc.RpcError, grpc.Call):
    """What a blocking stub raises: an RpcError that is also the finished call."""

    def __init__(self, code: grpc.StatusCode, details: str, trailers: Trailers = ()) -> None:
        self._code, self._details, self._trailers = code, details, trailers

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> Trailers:
        return self._trailers

    def initial_metadata(self) -> Trailers:
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> float | None:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: object) -> bool:
        return False


def aio_error(code: grpc.StatusCode, details: str, trailers: Trailers = ()) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(
        code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailers), details=details
    )


def rich_trailers(status: status_pb2.Status) -> Trailers:
    """The trailers a server sends with a rich status (grpc-status-details-bin)."""
    return tuple(rpc_status.to_status(status).trailing_metadata)


def bad_request(field: str, message: str) -> status_pb2.Status:
    violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=message)
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.BadRequest(field_violations=[violation]))
    return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail])


ERRORS = [FailedCall, aio_error]


def test_error_classes_are_distinct() -> None:
    assert len(set(ERROR_CLASSES.values())) == len(ERROR_CLASSES)


def test_retry_after_from_a_rich_status() -> None:
    assert retry_after_from_status(busy_status(2, 250_000_000)) == pytest.approx(2.25)
    # Through the wire format the server uses (grpc_status.to_status -> trailing metadata).
    trailer = dict(rpc_status.to_status(busy_status(0, 100_000_000)).trailing_metadata)
    parsed = status_pb2.Status.FromString(trailer["grpc-status-details-bin"])
    assert retry_after_from_status(parsed) == pytest.approx(0.1)


def test_retry_after_is_none_without_retry_info() -> None:
    bad_request = any_pb2.Any()
    bad_request.Pack(error_details_pb2.BadRequest())
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, details=[bad_request])
    assert retry_after_from_status(status) is None
    assert retry_after_from_status(None) is None


@pytest.mark.parametrize("make", ERRORS, ids=["sync", "aio"])
@pytest.mark.parametrize("code", list(ERROR_CLASSES), ids=lambda code: code.name)
def test_every_listed_code_raises_its_class(make, code: grpc.StatusCode) -> None:
    error = error_from_rpc(make(code, f"said {code.name}"))
    assert type(error) is ERROR_CLASSES[code]
    assert error.code is code and error.details == f"said {code.name}"
    assert str(error) == f"{code.name}: said {code.name}"
    assert error.retry_after is None and error.status is None


@pytest.mark.parametrize("make", ERRORS, ids=["sync", "aio"])
def test_a_code_outside_the_table_is_a_plain_precis_error(make) -> None:
    error = error_from_rpc(make(grpc.StatusCode.DATA_LOSS, "lost"))
    assert type(error) is PrecisError and error.code is grpc.StatusCode.DATA_LOSS


@pytest.mark.parametrize("make", ERRORS, ids=["sync", "aio"])
def test_retry_info_becomes_retry_after(make) -> None:
    status = busy_status(1, 500_000_000)
    error = error_from_rpc(
        make(grpc.StatusCode.RESOURCE_EXHAUSTED, "queue full", rich_trailers(status))
    )
    assert isinstance(error, ResourceExhausted)
    assert error.retry_after == pytest.approx(1.5)
    assert error.status == status


@pytest.mark.parametrize("make", ERRORS, ids=["sync", "aio"])
def test_bad_request_details_are_kept_on_the_error(make) -> None:
    status = bad_request("target_languages", "unsupported language 'es'")
    trailers = (("x-request-id", "r1"), *rich_trailers(status))
    error = error_from_rpc(make(grpc.StatusCode.INVALID_ARGUMENT, status.message, trailers))
    assert isinstance(error, InvalidArgument) and error.retry_after is None
    assert error.status is not None
    violations = error_details_pb2.BadRequest()
    assert error.status.details[0].Unpack(violations)
    assert [(v.field, v.description) for v in violations.field_violations] == [
        ("target_languages", "unsupported language 'es'")
    ]


def test_a_rich_status_that_disagrees_with_the_call_is_ignored() -> None:
    # The call says UNAVAILABLE, its details-bin says RESOURCE_EXHAUSTED: trust the call.
    trailers = rich_trailers(busy_status(1, 0))
    error = error_from_rpc(FailedCall(grpc.StatusCode.UNAVAILABLE, "queue full", trailers))
    assert isinstance(error, Unavailable)
    assert error.status is None and error.retry_after is None


def test_a_bare_rpc_error_is_unknown() -> None:
    error = error_from_rpc(grpc.RpcError("no call"))
    assert type(error) is PrecisError
    assert error.code is grpc.StatusCode.UNKNOWN and error.details == "no call"
    assert not error.answered


@pytest.mark.parametrize("make", ERRORS, ids=["sync", "aio"])
def test_answered_tells_a_server_status_from_a_transport_failure(make) -> None:
    """A server's UNAVAILABLE (loading, draining) comes with trailers; gRPC's own has none."""
    loading = make(
        grpc.StatusCode.UNAVAILABLE, "models are still loading", (("x-request-id", "1"),)
    )
    refused = make(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")
    assert error_from_rpc(loading).answered
    assert not error_from_rpc(refused).answered


def test_raised_as_precis_errors_chains_the_grpc_error() -> None:
    cause = FailedCall(grpc.StatusCode.INVALID_ARGUMENT, "bad")
    with pytest.raises(InvalidArgument) as caught, raised_as_precis_errors():
        raise cause
    assert caught.value.__cause__ is cause
    with raised_as_precis_errors():  # other exceptions pass through untouched
        pass
    with pytest.raises(KeyError), raised_as_precis_errors():
        raise KeyError("x")
