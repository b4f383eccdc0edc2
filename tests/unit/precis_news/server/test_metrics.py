"""Prometheus metrics: the batchers' events and language mismatches, one registry per server."""

from __future__ import annotations

from precis_models.language import LanguageMismatch
from precis_news.server.metrics import Metrics


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
