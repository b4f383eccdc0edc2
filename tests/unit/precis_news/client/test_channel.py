"""The channel both clients share: TLS choice, options, call settings."""

from __future__ import annotations

import json

import grpc
import pytest
from grpc_health.v1 import health_pb2

from precis_news.client import AsyncPrecisClient, PrecisClient
from precis_news.client.channel import _channel_args, status_name


def _args(**given: object) -> tuple[grpc.ChannelCredentials | None, dict[str, object]]:
    values: dict[str, object] = {
        "root_certificates": None,
        "private_key": None,
        "certificate_chain": None,
        "tls": False,
        "options": (),
    }
    values.update(given)
    credentials, options = _channel_args(**values)  # type: ignore[arg-type]
    return credentials, dict(options)


def test_plaintext_by_default_with_retries_and_round_robin() -> None:
    credentials, options = _args()
    assert credentials is None
    config = json.loads(str(options["grpc.service_config"]))
    assert config["loadBalancingConfig"] == [{"round_robin": {}}]
    [policy] = config["methodConfig"]
    assert policy["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    # The server's own size limit, with its clear message, decides; not the client's 4 MiB.
    assert options["grpc.max_send_message_length"] == 64 * 2**20


@pytest.mark.parametrize("given", [{"tls": True}, {"root_certificates": b"pem"}])
def test_tls_when_asked_or_when_a_ca_is_given(given: dict[str, object]) -> None:
    credentials, _ = _args(**given)
    assert isinstance(credentials, grpc.ChannelCredentials)


def test_caller_options_override_the_defaults() -> None:
    _, options = _args(options=[("grpc.max_send_message_length", 1024), ("grpc.x", 1)])
    assert options["grpc.max_send_message_length"] == 1024
    assert options["grpc.x"] == 1


@pytest.mark.parametrize("half", [{"private_key": b"k"}, {"certificate_chain": b"c"}])
def test_half_a_client_key_pair_is_refused(half: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="both private_key and certificate_chain"):
        _args(**half)


@pytest.mark.parametrize("client", [PrecisClient, AsyncPrecisClient])
def test_a_non_positive_timeout_is_refused(client: type) -> None:
    with pytest.raises(ValueError, match="timeout must be positive, got 0"):
        client(target="127.0.0.1:1", timeout=0)


def test_call_settings_carry_the_key_and_probes_never_wait() -> None:
    with PrecisClient(target="127.0.0.1:1", api_key="k", timeout=7) as client:
        assert repr(client) == "PrecisClient(target='127.0.0.1:1')"
        assert client._call_kwargs(None) == {
            "timeout": 7,
            "metadata": (("authorization", "Bearer k"),),
            "wait_for_ready": True,
        }
        assert client._call_kwargs(2, probe=True)["wait_for_ready"] is False
    with PrecisClient(target="127.0.0.1:1", wait_for_ready=False) as client:
        assert client._call_kwargs(None)["metadata"] is None
        assert client._call_kwargs(None)["wait_for_ready"] is False


def test_status_names() -> None:
    serving = health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)
    assert status_name(serving) == "SERVING"
    assert status_name(health_pb2.HealthCheckResponse()) == "UNKNOWN"
