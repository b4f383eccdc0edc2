"""Stage spans: nothing recorded with the default no-op tracer; precis.* attributes when on."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from precis_models import tracing
from precis_models.batching import Generated


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    """Spans recorded by an SDK tracer for the test's duration (then the no-op again)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider.get_tracer("test"))
    yield exporter
    tracing.use(None)
    provider.shutdown()


def test_off_by_default_nothing_is_created_or_exported() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()  # a provider that is not installed sees nothing
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    assert not tracing.recording()
    with tracing.span("detect", characters=12) as current:
        assert not current.is_recording()
        assert not current.get_span_context().is_valid  # no id made: nothing to export
        tracing.note(current, language="en")
        tracing.interval("queue", 0, 1)
        assert tracing.link_to_current() is None
    assert exporter.get_finished_spans() == ()


def test_off_keeps_a_callers_trace_current() -> None:
    caller = trace.SpanContext(
        0xABC, 0xDEF, is_remote=True, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)
    )
    parent = trace.set_span_in_context(trace.NonRecordingSpan(caller))
    with tracing.span("call", parent=parent), tracing.span("detect"):
        assert trace.get_current_span().get_span_context().trace_id == 0xABC


def test_spans_nest_and_carry_their_work_as_precis_attributes(
    exported: InMemorySpanExporter,
) -> None:
    assert tracing.recording()
    with tracing.span("summarize", sentences=40, language="en", skipped=None) as outer:
        with tracing.span("generate", texts=2):
            pass
        tracing.note(outer, chunks=2)
    inner, finished = exported.get_finished_spans()
    assert (inner.name, finished.name) == ("generate", "summarize")
    assert inner.parent is not None and inner.parent.span_id == finished.context.span_id
    assert dict(finished.attributes or {}) == {
        "precis.sentences": 40,
        "precis.language": "en",
        "precis.chunks": 2,
    }


def test_an_exception_ends_the_span_as_an_error(exported: InMemorySpanExporter) -> None:
    with pytest.raises(ValueError), tracing.span("detect"):
        raise ValueError("no language")
    (failed,) = exported.get_finished_spans()
    assert failed.status.status_code is trace.StatusCode.ERROR


def test_a_model_call_shows_its_queue_then_its_inference(exported: InMemorySpanExporter) -> None:
    started = time.time_ns()
    with tracing.span("generate") as current:
        tracing.note_generated(
            current, started, Generated(["a", "b"], 30.0, 12.5, 1), tokens=lambda: 17
        )
        link = tracing.link_to_current()
    queue, inference, generate = exported.get_finished_spans()
    assert [queue.name, inference.name] == ["queue", "inference"]
    assert queue.parent is not None and queue.parent.span_id == generate.context.span_id
    assert queue.start_time == started
    assert queue.end_time == inference.start_time == started + 30_000_000
    assert inference.end_time == started + 42_500_000
    assert generate.attributes is not None
    assert generate.attributes["precis.input_tokens"] == 17
    assert generate.attributes["precis.cache_hits"] == 1
    assert link is not None and link.context.span_id == generate.context.span_id
