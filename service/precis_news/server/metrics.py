"""Prometheus metrics (requests by method and code, latency, queues, batches, tokens) and the
HTTP endpoint that serves them."""

from __future__ import annotations

import hmac
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from precis_news import findings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from precis_models.language import LanguageMismatch
    from precis_news.pipeline import Summary

METRICS_PATH = "/metrics"


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
        self.http_connections = Gauge(
            "precis_http_connections", "HTTP connections open now", registry=r
        )
        self.http_connections_closed = Counter(
            "precis_http_connections_closed",
            "HTTP connections the server refused or closed: over_total, over_peer (the caps), "
            "header_timeout, send_timeout (a client that stopped reading)",
            ["reason"],
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
        # What KEDA scales on (deploy/kubernetes/keda.yaml): work waiting per model, by priority.
        self.queued_tokens = Gauge(
            "precis_queued_tokens",
            "input tokens waiting per model and priority",
            ["model", "priority"],
            registry=r,
        )
        self.queued_requests = Gauge(
            "precis_queued_requests",
            "calls with texts waiting per model and priority",
            ["model", "priority"],
            registry=r,
        )
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
        self.model_loaded = Gauge(
            "precis_model_loaded",
            "1 while a model's weights are in memory (model_keep_alive_seconds unloads idle ones)",
            ["model"],
            registry=r,
        )
        self.cache_hits = Counter("precis_cache_hits", "outputs served from cache", registry=r)
        self.output_language_mismatches = Counter(
            findings.LANGUAGE_METRIC,
            "translated summaries detected in another language than asked for",
            ["model", "expected", "detected"],
            registry=r,
        )
        self.summary_checks = Counter(
            findings.SUMMARY_CHECKS_METRIC,
            "numbers (by NumberIssue kind) and names (missing_name) the checks flagged, by "
            "summary language",
            ["language", "check"],
            registry=r,
        )

    def count_checks(self, summaries: Iterable[Summary]) -> None:
        """Count what the checks flagged in a response's summaries, one per finding, by kind
        (see precis_news.findings)."""
        for s in summaries:
            for found in findings.findings(s):
                self.summary_checks.labels(s.language, found.check.kind).inc()

    def count_mismatches(self, mismatches: Iterable[LanguageMismatch]) -> None:
        """Count a response's wrong-language summaries (see models.language)."""
        for m in mismatches:
            self.output_language_mismatches.labels(m.model, m.expected, m.detected).inc()

    def watch_loaded(self, model: str, loaded: Callable[[], bool]) -> None:
        """Report `loaded()` (read at each scrape) as `model`'s precis_model_loaded."""
        self.model_loaded.labels(model).set_function(lambda: float(loaded()))

    # BatchObserver
    def batch_done(self, model: str, *, size: int, tokens: int, seconds: float) -> None:
        self.batch_size.labels(model).observe(size)
        self.batch_tokens.labels(model).inc(tokens)
        self.inference.labels(model).inc(seconds)

    def queue_depth(self, model: str, depth: int) -> None:
        self.queue.labels(model).set(depth)

    def queued_work(self, model: str, priority: str, *, requests: int, tokens: int) -> None:
        self.queued_requests.labels(model, priority).set(requests)
        self.queued_tokens.labels(model, priority).set(tokens)

    def serve(self, host: str, port: int, *, token: str = "") -> MetricsEndpoint:
        """Expose /metrics over HTTP (tokens/s = rate(input_tokens) / rate(inference_seconds)),
        requiring `authorization: Bearer <token>` when a token is given."""
        return MetricsEndpoint(metrics_app(self.registry, token=token), host, port)


def _plain(start_response: StartResponse, status: str, text: str, *extra: Any) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), *extra])
    return [text.encode()]


def metrics_app(registry: CollectorRegistry, *, token: str = "") -> WSGIApplication:
    """prometheus_client's WSGI app, on METRICS_PATH only (404 elsewhere) and, with a token,
    only for `authorization: Bearer <token>` (401 otherwise; compared in constant time)."""
    inner = make_wsgi_app(registry)
    expected = f"Bearer {token}".encode()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != METRICS_PATH:
            return _plain(start_response, "404 Not Found", f"not found; see {METRICS_PATH}\n")
        given = str(environ.get("HTTP_AUTHORIZATION", "")).encode("latin-1", "replace")
        if token and not hmac.compare_digest(given, expected):
            return _plain(
                start_response,
                "401 Unauthorized",
                "a bearer token is required\n",
                ("WWW-Authenticate", 'Bearer realm="metrics"'),
            )
        return inner(environ, start_response)

    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log line on stderr per scrape."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class MetricsEndpoint:
    """An HTTP server for `app` on host:port, in a daemon thread, until stop()."""

    def __init__(self, app: WSGIApplication, host: str, port: int) -> None:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        server_class: type[ThreadingWSGIServer] = type(
            "MetricsServer", (ThreadingWSGIServer,), {"address_family": family}
        )
        self._server = make_server(host, port, app, server_class, handler_class=_QuietHandler)
        self.port: int = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
