"""Spans for the stages of a request, on the OpenTelemetry API alone (no-op until a server
installs a tracer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol, TypeAlias

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Tracer

Attribute: TypeAlias = str | bool | int | float
PREFIX = "precis."  # every attribute a stage sets is precis.<name>

# The API's own no-op tracer until `use` installs one (the server does, when tracing is
# configured): nothing is then recorded or exported, and `span` skips even the no-op's context
# switch. Held here rather than in the API's process-wide provider (which can be set once per
# process) so that a server's tracing ends with that server.
_tracer: Tracer = trace.NoOpTracer()


def use(tracer: Tracer | None) -> None:
    """Record spans with `tracer` from now on (None: the no-op tracer again).

    Args:
        tracer: an SDK tracer, or None to stop recording.
    """
    global _tracer
    _tracer = tracer if tracer is not None else trace.NoOpTracer()


def recording() -> bool:
    """Whether spans are recorded (to skip computing attributes nobody would see)."""
    return not isinstance(_tracer, trace.NoOpTracer)


def attributes(given: dict[str, Attribute | None]) -> dict[str, Attribute]:
    """`given` named precis.<name>, those that are None left out."""
    return {PREFIX + k: v for k, v in given.items() if v is not None}


@contextmanager
def span(
    name: str,
    *,
    links: Sequence[Link] = (),
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Context | None = None,
    **work: Attribute | None,
) -> Iterator[Span]:
    """A span for one stage, current while the block runs: the current span's child (or
    `parent`'s); an exception ends it with an error status and is raised on.

    Args:
        name: the stage, e.g. "detect" (fixed names, never request text).
        links: spans this one relates to outside its parent (a shared batch's callers).
        kind: SERVER for a call's own span, else INTERNAL.
        parent: the context to start in (a caller's traceparent) instead of the current one.
        **work: how much work the stage was (tokens, sentences, ...), as precis.<name>.

    Returns:
        The span, for what is known only at the end (see `note`).
    """
    if parent is None and not recording():
        # Nothing would be recorded, and the current span (a caller's, with its trace id for
        # the logs) stays current: skip even the no-op tracer's context switch.
        yield trace.INVALID_SPAN
        return
    with _tracer.start_as_current_span(
        name, context=parent, kind=kind, links=links, attributes=attributes(work)
    ) as current:
        yield current


def note(current: Span, **work: Attribute | None) -> None:
    """Add precis.<name> attributes to `current` (nothing when it is not recorded)."""
    if current.is_recording():
        current.set_attributes(attributes(work))


def interval(name: str, start_ns: int, end_ns: int, **work: Attribute | None) -> None:
    """Record a finished child of the current span that ran from `start_ns` to `end_ns`
    (time.time_ns clock): a stage timed elsewhere, such as the wait in a model's queue."""
    if recording():
        _tracer.start_span(name, start_time=start_ns, attributes=attributes(work)).end(end_ns)


def link_to_current() -> Link | None:
    """A link to the current span (for work done on its behalf elsewhere: a shared batch), or
    None when it is not recorded."""
    context = trace.get_current_span().get_span_context()
    return Link(context) if context.is_valid and context.trace_flags.sampled else None


class CallTimes(Protocol):
    """What a model call reports of its work (batching.Generated has it)."""

    @property
    def cache_hits(self) -> int: ...

    @property
    def queue_ms(self) -> float: ...

    @property
    def inference_ms(self) -> float: ...


def note_generated(
    current: Span, started_ns: int, generated: CallTimes, *, tokens: Callable[[], int]
) -> None:
    """Note a model call's work on its span `current` (started at `started_ns`): input tokens
    (`tokens()`, called only when recorded), cache hits, and its time as two children, "queue"
    (waiting for a batch) and "inference" (the slowest of its batches)."""
    if not current.is_recording():
        return
    note(
        current,
        input_tokens=tokens(),
        cache_hits=generated.cache_hits,
        queue_ms=round(generated.queue_ms, 3),
        inference_ms=round(generated.inference_ms, 3),
    )
    queued_ns = started_ns + int(generated.queue_ms * 1e6)
    interval("queue", started_ns, queued_ns, queue_ms=round(generated.queue_ms, 3))
    interval("inference", queued_ns, queued_ns + int(generated.inference_ms * 1e6))
