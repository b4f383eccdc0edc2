"""OpenTelemetry for the server: an OTLP exporter when configured, the caller's W3C
traceparent, and one SERVER span per call around the stages' spans (precis_models.tracing)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from precis_models import tracing
from precis_news.settings import Settings

log = logging.getLogger(__name__)

SERVICE = "precis.v1.Summarizer"
DEFAULT_SERVICE_NAME = "precis"
EXPORTERS = ("otlp", "console")  # OTEL_TRACES_EXPORTER values that turn tracing on
_W3C = TraceContextTextMapPropagator()


def exporter_name(settings: Settings, env: Mapping[str, str]) -> str:
    """Where traces go: the setting, else $OTEL_TRACES_EXPORTER; "none" when neither names
    one of EXPORTERS or $OTEL_SDK_DISABLED is true. Unlike the OpenTelemetry default (otlp),
    tracing is off unless asked for."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return "none"
    name = settings.otel_traces_exporter or env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    return name if name in EXPORTERS else "none"


def _exporter(name: str, settings: Settings) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    # Imported here: it loads grpc's exporter stubs, which a server not tracing does not need.
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    # None lets the exporter read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, headers, TLS ... itself.
    return OTLPSpanExporter(endpoint=settings.otel_exporter_otlp_endpoint or None)


def start_tracing(
    settings: Settings, env: Mapping[str, str] | None = None
) -> TracerProvider | None:
    """Record and export spans as configured (see exporter_name), or do nothing.

    Args:
        settings: the otel_* settings.
        env: where the OTEL_* variables are read (os.environ when None); the SDK also reads
            its own (OTEL_BSP_*, OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_*) from os.environ.

    Returns:
        The provider to pass to stop_tracing, or None when tracing is off.
    """
    env = os.environ if env is None else env
    name = exporter_name(settings, env)
    if name == "none":
        return None
    service = settings.otel_service_name or env.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(_exporter(name, settings)))
    tracing.use(provider.get_tracer("precis"))
    log.info("tracing on: %s exporter, service.name %s", name, service)
    return provider


def stop_tracing(provider: TracerProvider | None) -> None:
    """Stop recording, export the spans still held, and release the exporter."""
    if provider is not None:
        tracing.use(None)
        provider.shutdown()


@contextmanager
def call_span(
    method: str, carrier: Mapping[str, Any], *, protocol: str, request_id: str
) -> Iterator[Span]:
    """The SERVER span of one precis.v1 call, a child of the caller's `traceparent` when
    `carrier` (gRPC metadata, HTTP headers) has one; current while the call runs.

    Args:
        method: the RPC name, e.g. "Summarize".
        carrier: the call's metadata or headers (traceparent, tracestate).
        protocol: "grpc" or "http".
        request_id: the call's request id (an attribute, to find its log lines).
    """
    parent = _W3C.extract(carrier) if "traceparent" in carrier else None
    with tracing.span(
        f"{SERVICE}/{method}", kind=SpanKind.SERVER, parent=parent, protocol=protocol
    ) as current:
        if current.is_recording():
            current.set_attributes(
                {
                    "rpc.system": "grpc",
                    "rpc.service": SERVICE,
                    "rpc.method": method,
                    "precis.request_id": request_id,
                }
            )
        yield current


def trace_id() -> str:
    """The current trace's id (32 hex digits), or "" outside one."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else ""
