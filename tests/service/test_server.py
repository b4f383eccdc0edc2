"""The server: API keys, health while loading/serving/draining, reflection."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from precis_news.client import Unauthenticated
from tests.conftest import (
    ServerThread,
    status_of,
    tiny_settings,
)


def test_missing_or_wrong_api_key(strict_server: ServerThread) -> None:
    for key in (None, "wrong-key"):
        with strict_server.client(api_key=key) as c:
            error = status_of(lambda c=c: c.summarize("Hello there."))
            assert isinstance(error, Unauthenticated)
            assert error.code == grpc.StatusCode.UNAUTHENTICATED
            assert error.details == "missing or wrong API key"
            stream_error = status_of(lambda c=c: list(c.stream_summarize("Hello there.")))
            assert stream_error.code == grpc.StatusCode.UNAUTHENTICATED
            assert c.health() == "SERVING"  # probes need no key
    with strict_server.client(api_key="secret-key") as c:
        assert c.summarize("The council met on Monday.").summaries


def test_unavailable_while_loading_then_serving_then_draining(model_dir) -> None:  # type: ignore[no-untyped-def]
    running = ServerThread(tiny_settings(model_dir))
    try:
        channel = grpc.insecure_channel(running.address)
        health = health_pb2_grpc.HealthStub(channel)
        check = health_pb2.HealthCheckRequest(service="precis.v1.Summarizer")
        assert health.Check(check).status == health_pb2.HealthCheckResponse.NOT_SERVING
        with running.client() as c:
            error = status_of(lambda: c.summarize("Hello there."))
            assert error.code == grpc.StatusCode.UNAVAILABLE
            assert error.details == "models are still loading; retry shortly"
            running.load()
            assert health.Check(check).status == health_pb2.HealthCheckResponse.SERVING
            assert c.summarize("The council met on Monday.").summaries
            running.server.state.draining = True  # what stop() sets first
            error = status_of(lambda: c.summarize("Hello there."))
            assert error.code == grpc.StatusCode.UNAVAILABLE
            assert error.details == "the server is shutting down; retry on another replica"
            running.server.state.draining = False
            running.call(running.server.health.enter_graceful_shutdown())
            assert health.Check(check).status == health_pb2.HealthCheckResponse.NOT_SERVING
        channel.close()
    finally:
        running.close()


def test_reflection_lists_the_services(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert "precis.v1.Summarizer" in services
        assert "grpc.health.v1.Health" in services
        methods = (
            ProtoReflectionDescriptorDatabase(channel)
            .FindFileContainingSymbol("precis.v1.Summarizer")
            .service[0]
            .method
        )
    assert {m.name for m in methods} == {
        "Summarize",
        "StreamSummarize",
        "Translate",
        "DetectLanguage",
        "GetInfo",
    }
