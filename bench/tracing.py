"""What tracing costs a request: two servers, one tracing off and one exporting every span over
OTLP/gRPC to a receiver in this process, called in turn with the same Summarize (en -> en, fr).

    python -m bench.tracing --model-dir DIR [--profile tiny] [--calls 200]

Calls alternate between the servers, one at a time, so that whatever else the machine does
falls on both alike. Prints each server's p50/p90 call latency, their difference, the spans one
request records, the cost of one stage span off (the API's no-op tracer) and on (the SDK's,
batch export) measured in this process, and `tracing_on_vs_off_p50=…` last.
"""

from __future__ import annotations

import threading
import time
import timeit
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bench import common
from precis_models import tracing
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc

SPAN_LOOPS = 20_000


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace endpoint that counts the spans it receives."""

    def __init__(self) -> None:
        self.spans = 0
        self._lock = threading.Lock()

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: object
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        count = sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)
        with self._lock:
            self.spans += count
        return trace_service_pb2.ExportTraceServiceResponse()


def _stage_spans() -> None:
    with tracing.span("summarize", language="en", sentences=40) as current:
        tracing.note(current, chunks=1)


def per_span_us() -> tuple[float, float]:
    """One stage span's cost in µs with the no-op tracer, then with an SDK tracer (batch export
    to memory)."""
    off = timeit.timeit(_stage_spans, number=SPAN_LOOPS) / SPAN_LOOPS * 1e6
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(InMemorySpanExporter()))
    tracing.use(provider.get_tracer("bench"))
    try:
        on = timeit.timeit(_stage_spans, number=SPAN_LOOPS) / SPAN_LOOPS * 1e6
    finally:
        tracing.use(None)
        provider.shutdown()
    return off, on


def _line(name: str, seconds: list[float]) -> str:
    p50, p90 = common.percentile(seconds, 50) * 1000, common.percentile(seconds, 90) * 1000
    return f"{name}: n={len(seconds)} p50={p50:.2f}ms p90={p90:.2f}ms"


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=200, help="calls per server [%(default)s]")
    args = p.parse_args()
    common.banner("bench.tracing", args)
    receiver = Receiver()
    collector = grpc.server(futures.ThreadPoolExecutor(2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, collector)
    port = collector.add_insecure_port("127.0.0.1:0")
    collector.start()
    traced_env = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    request = pb.SummarizeRequest(text=common.read_article(), target_languages=["en", "fr"])
    times: dict[str, list[float]] = {"off": [], "on": []}
    with (
        common.serving(args, "off", env={"OTEL_TRACES_EXPORTER": "none"}) as off,
        common.serving(args, "on", env=traced_env) as on,
    ):
        channels = {name: grpc.insecure_channel(s.target) for name, s in (("off", off), ("on", on))}
        stubs = {name: pb_grpc.SummarizerStub(c) for name, c in channels.items()}
        for stub in stubs.values():  # warm: connections, caches of the first call
            for _ in range(5):
                stub.Summarize(request, timeout=120)
        spans_before = receiver.spans
        for _ in range(args.calls):
            for name, stub in stubs.items():
                started = time.perf_counter()
                stub.Summarize(request, timeout=120)
                times[name].append(time.perf_counter() - started)
        for channel in channels.values():
            channel.close()
    collector.stop(None)  # after the traced server's exit: its last spans were flushed then
    for name, seconds in times.items():
        print(_line(f"tracing {name}", seconds))
    delta = common.median(times["on"]) - common.median(times["off"])
    print(f"p50 on - off: {delta * 1000:+.2f}ms")
    print(f"spans per request (exported): {(receiver.spans - spans_before) / args.calls:.1f}")
    off_us, on_us = per_span_us()
    print(f"one stage span: off {off_us:.2f}µs, on {on_us:.2f}µs")
    print(f"tracing_on_vs_off_p50={common.median(times['on']) / common.median(times['off']):.3f}")


if __name__ == "__main__":
    main()
