"""Prometheus metrics: batchers' events, language mismatches, the /metrics path and token."""

from __future__ import annotations

from typing import Any
from wsgiref.util import setup_testing_defaults

from precis_models.language import LanguageMismatch
from precis_news import findings
from precis_news.pipeline import Summary
from precis_news.pipeline.numbers import NumberIssue
from precis_news.server.metrics import Metrics, metrics_app


def test_batches_count_sizes_tokens_and_inference_time() -> None:
    metrics = Metrics()
    metrics.batch_done("tiny-bart", size=3, tokens=120, seconds=0.5)
    metrics.batch_done("tiny-bart", size=1, tokens=30, seconds=0.25)
    value = metrics.registry.get_sample_value
    assert value("precis_batch_size_count", {"model": "tiny-bart"}) == 2
    assert value("precis_batch_size_sum", {"model": "tiny-bart"}) == 4
    assert value("precis_batch_size_bucket", {"model": "tiny-bart", "le": "2.0"}) == 1
    assert value("precis_input_tokens_total", {"model": "tiny-bart"}) == 150
    assert value("precis_inference_seconds_total", {"model": "tiny-bart"}) == 0.75


def test_queue_depth_is_the_latest_per_model() -> None:
    metrics = Metrics()
    metrics.queue_depth("a", 5)
    metrics.queue_depth("a", 2)
    metrics.queue_depth("b", 7)
    value = metrics.registry.get_sample_value
    assert value("precis_queue_depth", {"model": "a"}) == 2
    assert value("precis_queue_depth", {"model": "b"}) == 7


def test_queued_work_is_the_latest_per_model_and_priority() -> None:
    metrics = Metrics()
    metrics.queued_work("a", "interactive", requests=3, tokens=900)
    metrics.queued_work("a", "interactive", requests=1, tokens=40)
    metrics.queued_work("b", "interactive", requests=2, tokens=70)
    value = metrics.registry.get_sample_value
    labels = {"model": "a", "priority": "interactive"}
    assert (value("precis_queued_requests", labels), value("precis_queued_tokens", labels)) == (
        1,
        40,
    )
    assert value("precis_queued_tokens", {"model": "b", "priority": "interactive"}) == 70


def test_language_mismatches_are_counted_by_model_and_languages() -> None:
    metrics = Metrics()
    wrong = LanguageMismatch(expected="uk", detected="ru", confidence=0.9, model="en-zle")
    metrics.count_mismatches([wrong, wrong])
    metrics.count_mismatches([])
    labels = {"model": "en-zle", "expected": "uk", "detected": "ru"}
    assert metrics.registry.get_sample_value("precis_output_language_mismatches_total", labels) == 2


def test_each_server_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.requests.labels("Summarize", "OK").inc()
    labels = {"method": "Summarize", "code": "OK"}
    assert first.registry.get_sample_value("precis_requests_total", labels) == 1
    assert second.registry.get_sample_value("precis_requests_total", labels) is None


def _get(app: Any, path: str, authorization: str = "") -> tuple[str, bytes]:
    """Call the WSGI app directly: (status line, body)."""
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ["PATH_INFO"] = path
    if authorization:
        environ["HTTP_AUTHORIZATION"] = authorization
    seen: list[str] = []
    body = b"".join(app(environ, lambda status, headers: seen.append(status)))
    return seen[0], body


def test_metrics_app_serves_only_the_metrics_path() -> None:
    app = metrics_app(Metrics().registry)
    status, body = _get(app, "/metrics")
    assert status == "200 OK" and b"precis_requests_total" in body
    for path in ("/", "/favicon.ico", "/metrics/", "/x" * 100):
        status, body = _get(app, path)
        assert status == "404 Not Found" and b"precis_" not in body


def test_metrics_app_with_a_token_needs_exactly_that_bearer_token() -> None:
    app = metrics_app(Metrics().registry, token="scrape-me")
    for given in ("", "Bearer wrong", "scrape-me", "Basic scrape-me", "Bearer scrape-me2"):
        status, body = _get(app, "/metrics", given)
        assert status == "401 Unauthorized" and b"precis_" not in body
    status, body = _get(app, "/metrics", "Bearer scrape-me")
    assert status == "200 OK" and b"precis_requests_total" in body


def test_checks_are_counted_one_per_finding_by_kind() -> None:
    metrics = Metrics()
    flagged = Summary(
        "fr",
        "…",
        "m",
        number_issues=[NumberIssue(findings.CHANGED.kind, "3", "4")],
        missing_names=["Doucet", "Lyon"],
    )
    metrics.count_checks([flagged, Summary("en", "ok", "m")])
    value = metrics.registry.get_sample_value
    name = findings.SUMMARY_CHECKS_METRIC + "_total"
    assert value(name, {"language": "fr", "check": "changed"}) == 1
    assert value(name, {"language": "fr", "check": "missing_name"}) == 2


def test_every_check_is_counted_in_a_counter_of_the_registry() -> None:
    counted = {family.name for family in Metrics().registry.collect()}
    for check in findings.CHECKS.values():
        assert check.metric in counted, check


def test_model_loaded_is_read_at_each_scrape() -> None:
    metrics = Metrics()
    loaded = [True]
    metrics.watch_loaded("tiny-bart", lambda: loaded[0])
    value = metrics.registry.get_sample_value
    assert value("precis_model_loaded", {"model": "tiny-bart"}) == 1
    loaded[0] = False  # unloaded after its keep-alive
    assert value("precis_model_loaded", {"model": "tiny-bart"}) == 0
