"""The request context: the article split once per request, targets in response order, each
route looked up once."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

import pytest

from precis_models import sentences
from precis_models.catalog import DEFAULT_LENGTHS
from precis_models.loader import Hop, ModelSet
from precis_news.pipeline.context import RequestContext, Routes
from precis_news.pipeline.jobs import Detection, SummarizeJob
from precis_news.pipeline.validation import check_summarize
from precis_news.settings import Settings
from tests.unit.precis_news.pipeline.stand_ins import Answers, model_set, serving

LONG = " ".join(f"Report {i} says the council met again on the 3rd." for i in range(30))
UKRAINIAN = " ".join(f"Речення {i} про міську раду." for i in range(30))


def _count_splits(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The texts split_sentences is called on from now on, counted (in every module that
    imported it)."""
    original = sentences.split_sentences
    seen: Counter[str] = Counter()

    def counting(text: str) -> list[str]:
        seen[text] += 1
        return original(text)

    for module in list(sys.modules.values()):
        if getattr(module, "split_sentences", None) is original:
            monkeypatch.setattr(module, "split_sentences", counting)
    return seen


@pytest.mark.parametrize(
    ("text", "source", "settings"),
    [
        (LONG, "en", {}),  # selection, then chunking
        (LONG, "en", {"long_article": "merge"}),  # chunking and merging
        (UKRAINIAN, "uk", {"max_translated_tokens": 40}),  # selection for translation
    ],
)
async def test_one_summarize_request_splits_its_article_once(
    monkeypatch: pytest.MonkeyPatch, text: str, source: str, settings: dict[str, object]
) -> None:
    job = SummarizeJob(text, title="Council", targets=("en", "fr", "uk"), include_sources=True)
    async with serving(model_set(), Answers([(source, 0.9)]), **settings) as pipeline:
        splits = _count_splits(monkeypatch)
        result = await pipeline.summarize(job)
    assert [s.language for s in result.summaries] == ["en", "fr", "uk"]
    assert result.summaries[0].sources  # provenance read the article's sentences too
    assert splits[job.article] == 1
    assert sum(splits.values()) > 1  # the count sees the other splits (the summaries')


async def test_each_route_is_looked_up_once_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    models = model_set()
    asked: Counter[tuple[str, str]] = Counter()
    route: Callable[[str, str], list[Hop] | None] = models.route

    def counting(source: str, target: str) -> list[Hop] | None:
        asked[source, target] += 1
        return route(source, target)

    monkeypatch.setattr(models, "route", counting)
    job = SummarizeJob(UKRAINIAN, source_language="uk", targets=("uk", "fr", "ru"))
    async with serving(models) as pipeline:
        await pipeline.summarize(job)
    # uk->en before detection (the queue check), for the article and for the summary's way
    # back; en->fr and en->ru for the other targets: each once.
    assert asked == {("uk", "en"): 1, ("en", "uk"): 1, ("en", "fr"): 1, ("en", "ru"): 1}


def _targets(models: ModelSet, job: SummarizeJob, detection: Detection) -> tuple[str, ...]:
    given, low, high = check_summarize(job, settings=Settings(), lengths=DEFAULT_LENGTHS)
    context = RequestContext.build(
        job.article,
        detection,
        targets=given,
        low=low,
        high=high,
        sources=False,
        routes=Routes(models),
    )
    return context.targets


def test_targets_order_defaults_to_the_source_language() -> None:
    detection = Detection("fr", 0.9)
    models = model_set()
    assert _targets(models, SummarizeJob("t"), detection) == ("fr",)
    assert _targets(models, SummarizeJob("t", targets=("RU", "en")), detection) == ("ru", "en")
