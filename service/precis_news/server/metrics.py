"""Prometheus metrics: requests by method and code, latency, queues, batches, tokens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

if TYPE_CHECKING:
    from precis_models.language import LanguageMismatch


class Metrics:
    """One registry per server (tests run several); also the batchers' observer."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "precis_requests",
            "RPCs by method and status code, refusals (UNAUTHENTICATED, budgets) included",
            ["method", "code"],
            registry=r,
        )
        self.http_requests = Counter(
            "precis_http_requests",
            "HTTP requests by method, route and status (the precis.v1 routes are also counted "
            "in precis_requests by gRPC method and code)",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "precis_request_seconds",
            "RPC latency",
            ["method"],
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.queue = Gauge("precis_queue_depth", "texts waiting per model", ["model"], registry=r)
        self.batch_size = Histogram(
            "precis_batch_size",
            "texts per model call",
            ["model"],
            registry=r,
            buckets=(1, 2, 4, 8, 16, 32, 64),
        )
        self.batch_tokens = Counter(
            "precis_input_tokens", "input tokens run through each model", ["model"], registry=r
        )
        self.inference = Counter(
            "precis_inference_seconds", "time spent in model calls", ["model"], registry=r
        )
        self.cache_hits = Counter("precis_cache_hits", "outputs served from cache", registry=r)
        self.output_language_mismatches = Counter(
            "precis_output_language_mismatches",
            "translated summaries detected in another language than asked for",
            ["model", "expected", "detected"],
            registry=r,
        )

    def count_mismatches(self, mismatches: Iterable[LanguageMismatch]) -> None:
        """Count a response's wrong-language summaries (see models.language)."""
        for m in mismatches:
            self.output_language_mismatches.labels(m.model, m.expected, m.detected).inc()

    # BatchObserver
    def batch_done(self, model: str, *, size: int, tokens: int, seconds: float) -> None:
        self.batch_size.labels(model).observe(size)
        self.batch_tokens.labels(model).inc(tokens)
        self.inference.labels(model).inc(seconds)

    def queue_depth(self, model: str, depth: int) -> None:
        self.queue.labels(model).set(depth)

    def serve(self, host: str, port: int) -> None:
        """Expose /metrics over HTTP (tokens/s = rate(input_tokens) / rate(inference_seconds))."""
        start_http_server(port, addr=host, registry=self.registry)
