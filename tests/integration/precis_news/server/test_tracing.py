"""Traces over OTLP/gRPC to a real collector endpoint on loopback: one Summarize over gRPC (text)
and one over HTTP (html), each under its caller's traceparent, arrive as a tree of stage spans."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from tests.support import ServerThread, article, http_call, tiny_settings

SERVICE_NAME = "precis-under-test"
# Every stage an English article summarized into en and fr passes through, its model calls
# included (with their time in the queue and in inference).
STAGES = {
    "admit",
    "detect",
    "split_sentences",
    "summarize",
    "generate",
    "queue",
    "inference",
    "check",
    "in_language",
    "translate",
}


@dataclass
class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """The collector's side of OTLP/gRPC: keeps every span exported to it."""

    spans: list[Span] = field(default_factory=list)
    services: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        with self.lock:
            for resource in request.resource_spans:
                for attribute in resource.resource.attributes:
                    if attribute.key == "service.name":
                        self.services.add(attribute.value.string_value)
                for scope in resource.scope_spans:
                    self.spans.extend(scope.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def trace(self, trace_id: str) -> list[Span]:
        with self.lock:
            return [s for s in self.spans if s.trace_id.hex() == trace_id]


@pytest.fixture(scope="module")
def collector() -> Iterator[tuple[Receiver, int]]:
    receiver = Receiver()
    server = grpc.server(futures.ThreadPoolExecutor(2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield receiver, port
    server.stop(None)


def traceparent() -> tuple[str, str, str]:
    """A caller's (traceparent header, trace id, span id), sampled."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{span_id}-01", trace_id, span_id


def page(text: str) -> str:
    """`text` as a news page's HTML, one paragraph per line, in its article element."""
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return (
        f"<html><head><title>News</title></head><body><article>{paragraphs}</article></body></html>"
    )


def summarize_traced(model_dir: Path, port: int) -> dict[str, tuple[str, str]]:
    """One Summarize over gRPC and one over HTTP under their own traceparent, on a server
    exporting to 127.0.0.1:`port`, closed before returning (its last spans flushed then).
    Returns each protocol's caller (trace id, span id)."""
    settings = tiny_settings(
        model_dir,
        otel_traces_exporter="otlp",
        otel_exporter_otlp_endpoint=f"http://127.0.0.1:{port}",
        otel_service_name=SERVICE_NAME,
        cache_bytes=0,
    )
    running = ServerThread(settings).load()
    callers = {}
    try:
        header, *callers["grpc"] = traceparent()
        with grpc.insecure_channel(running.address) as channel:
            reply = pb_grpc.SummarizerStub(channel).Summarize(
                pb.SummarizeRequest(text=article("en"), target_languages=["en", "fr"]),
                metadata=(("traceparent", header),),
                timeout=60,
            )
        assert [s.language for s in reply.summaries] == ["en", "fr"]
        header, *callers["http"] = traceparent()
        answer = http_call(
            running.http,
            "POST",
            "/v1/summarize",
            {"html": page(article("en")), "targetLanguages": ["en", "fr"]},
            headers={"traceparent": header},
        )
        assert answer.status == 200, answer.body
    finally:
        running.close()
    return {protocol: (ids[0], ids[1]) for protocol, ids in callers.items()}


@pytest.mark.slow
def test_each_call_arrives_as_a_tree_of_stages_under_its_callers_trace(
    model_dir: Path, collector: tuple[Receiver, int]
) -> None:
    receiver, port = collector
    callers = summarize_traced(model_dir, port)
    assert receiver.services == {SERVICE_NAME}
    for protocol, (trace_id, caller_span) in callers.items():
        spans = receiver.trace(trace_id)
        (root,) = [s for s in spans if s.parent_span_id.hex() == caller_span]
        assert root.name == "precis.v1.Summarizer/Summarize"
        assert root.kind == Span.SpanKind.SPAN_KIND_SERVER
        attributes = {a.key: a.value for a in root.attributes}
        assert attributes["precis.protocol"].string_value == protocol
        assert {s.name for s in spans} >= STAGES | (
            {"extract_html"} if protocol == "http" else set()
        )
        # Every span hangs from the call's own: each one's parent is in the trace.
        ids = {s.span_id for s in spans}
        assert all(s.parent_span_id in ids for s in spans if s is not root)
        by_id = {s.span_id: s for s in spans}
        translations = [s for s in spans if s.name == "translate"]
        assert {by_id[s.parent_span_id].name for s in translations} == {"in_language"}
        for generate in (s for s in spans if s.name == "generate"):
            work = {a.key: a.value for a in generate.attributes}
            assert work["precis.input_tokens"].int_value > 0
            assert work["precis.texts"].int_value > 0
            assert "precis.queue_ms" in work
        # The model calls' batches (shared between callers) link back to this trace.
        batches = [s for s in receiver.spans if s.name == "batch"]
        linked = [b for b in batches if any(link.trace_id.hex() == trace_id for link in b.links)]
        assert linked, protocol
        assert all(
            {a.key for a in b.attributes} >= {"precis.batch_size", "precis.input_tokens"}
            for b in linked
        )
