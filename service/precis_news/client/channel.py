"""What both clients share: the channel (TLS, options, retries, balancing) and call settings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from precis_news._proto import precis_pb2_grpc
from precis_news.client.errors import Unavailable

DEFAULT_TIMEOUT = 60.0
# How long a call waits for a first connection before it fails naming the address (a server
# that is starting listens within a second or two; its models load behind a health check).
DEFAULT_CONNECT_TIMEOUT = 5.0
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
    # One connection attempt's limit (C-core's default: 20 s): a listener that never answers
    # the HTTP/2 handshake (not gRPC) fails within about 4 s, not 22.
    "grpc.min_reconnect_backoff_ms": 3000,
}


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


def status_name(response: health_pb2.HealthCheckResponse) -> str:
    """The name of a health check's answer: SERVING, NOT_SERVING, ..."""
    return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)


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
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
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
            connect_timeout: with wait_for_ready, how long the first call waits for a
                connection before it fails with Unavailable naming the address and the reason;
                None: up to each call's deadline.

        Raises:
            ValueError: a non-positive timeout, or only one of private_key / certificate_chain.
        """
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.target = target
        self.timeout = timeout
        self.wait_for_ready = wait_for_ready
        self.connect_timeout = connect_timeout
        self._connected = not wait_for_ready or connect_timeout is None  # nothing to wait for
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

    def _not_ready(self, error: grpc.RpcError | None) -> Unavailable:
        """The error of a first connection that did not come within connect_timeout."""
        details = getattr(error, "details", None)  # grpc.Call and grpc.aio.AioRpcError
        reason = f" ({details()})" if callable(details) else ""
        return Unavailable(
            grpc.StatusCode.UNAVAILABLE,
            f"no server ready at {self.target} after {self.connect_timeout:g} s{reason}; is "
            "`precis serve` running there? (connect_timeout=None waits up to each call's "
            "deadline instead)",
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(target={self.target!r})"
