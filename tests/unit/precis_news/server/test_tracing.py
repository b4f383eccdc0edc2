"""Server tracing: off unless an exporter is named, the standard OTEL_* variables, the call's
span under the caller's traceparent."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from precis_models import tracing as stages
from precis_news.server import tracing
from precis_news.settings import Settings

CALLER_TRACE, CALLER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("", {}, "none"),  # off by default, unlike the OpenTelemetry SDK's own default
        ("", {"OTEL_TRACES_EXPORTER": "otlp"}, "otlp"),
        ("", {"OTEL_TRACES_EXPORTER": "Console"}, "console"),
        ("", {"OTEL_TRACES_EXPORTER": "zipkin"}, "none"),  # not served here
        ("otlp", {"OTEL_TRACES_EXPORTER": "none"}, "otlp"),  # the setting wins
        ("none", {"OTEL_TRACES_EXPORTER": "otlp"}, "none"),
        ("otlp", {"OTEL_SDK_DISABLED": "true"}, "none"),
    ],
)
def test_exporter_is_the_setting_else_the_standard_variable(
    setting: str, env: dict[str, str], expected: str
) -> None:
    settings = Settings(otel_traces_exporter=setting)  # type: ignore[arg-type]
    assert tracing.exporter_name(settings, env) == expected


def test_off_starts_nothing() -> None:
    assert tracing.start_tracing(Settings(), env={}) is None
    assert not stages.recording()


def test_on_records_until_stopped_under_the_service_name() -> None:
    provider = tracing.start_tracing(
        Settings(otel_traces_exporter="console"), env={"OTEL_SERVICE_NAME": "precis-eu"}
    )
    try:
        assert provider is not None and stages.recording()
        assert provider.resource.attributes["service.name"] == "precis-eu"
    finally:
        tracing.stop_tracing(provider)
    assert not stages.recording()


def test_the_setting_names_the_service_before_the_variable() -> None:
    settings = Settings(otel_traces_exporter="console", otel_service_name="summaries")
    provider = tracing.start_tracing(settings, env={"OTEL_SERVICE_NAME": "other"})
    tracing.stop_tracing(provider)
    assert provider is not None and provider.resource.attributes["service.name"] == "summaries"


def test_a_call_is_a_server_span_under_the_callers_traceparent() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    stages.use(provider.get_tracer("test"))
    try:
        with tracing.call_span(
            "Summarize", {"traceparent": TRACEPARENT}, protocol="http", request_id="r1"
        ):
            assert tracing.trace_id() == CALLER_TRACE
            with stages.span("detect"):
                pass
    finally:
        stages.use(None)
    detect, call = exporter.get_finished_spans()
    assert call.name == "precis.v1.Summarizer/Summarize" and call.kind is SpanKind.SERVER
    assert format(call.context.trace_id, "032x") == CALLER_TRACE
    assert call.parent is not None and format(call.parent.span_id, "016x") == CALLER_SPAN
    assert detect.parent is not None and detect.parent.span_id == call.context.span_id
    assert call.attributes is not None
    assert call.attributes["precis.request_id"] == "r1"
    assert call.attributes["precis.protocol"] == "http"


def test_without_traceparent_or_tracing_there_is_no_trace_id() -> None:
    with tracing.call_span("Summarize", {}, protocol="grpc", request_id="r2"):
        assert tracing.trace_id() == ""
    with tracing.call_span(
        "Summarize", {"traceparent": "00-garbage"}, protocol="grpc", request_id="r3"
    ):
        assert tracing.trace_id() == ""
