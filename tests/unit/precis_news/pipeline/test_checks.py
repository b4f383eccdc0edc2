"""The checks on each summary through the pipeline with stand-in engines: a number changed,
dropped or invented, a name dropped, each reported exactly; correct output never flagged."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest

from precis_news.pipeline import SummarizeJob, Summary, checks
from precis_news.pipeline.context import Article
from precis_news.pipeline.numbers import ADDED, CHANGED, DROPPED, NOT_IN_ARTICLE, NumberIssue
from tests.unit.precis_news.pipeline.stand_ins import (
    FirstWords,
    engine,
    model_set,
    serving,
)

CORPUS = Path(__file__).resolve().parents[3] / "data" / "checks_corpus.toml"
CASES = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]
ARTICLE = (
    "The council of Lyon will spend 100,000 euros on cycle lanes, Mayor Grégory Doucet said. "
    "Work starts in 2025."
)


async def _summaries(
    *, summary_replace: dict[str, str] | None = None, fr_replace: dict[str, str] | None = None
) -> list[Summary]:
    models = model_set(FirstWords("sum-en", replace=summary_replace))
    engine(models, "en-fr").replace.update({"[en-fr] ": "", **(fr_replace or {})})
    engine(models, "en-zle").tag = ""
    async with serving(models) as pipeline:
        result = await pipeline.summarize(
            SummarizeJob(ARTICLE, source_language="en", targets=("en", "fr", "uk"), max_tokens=40)
        )
        summaries = result.summaries
    return summaries


async def test_a_faithful_translation_is_not_flagged() -> None:
    summaries = await _summaries()
    assert [(s.number_issues, s.missing_names) for s in summaries] == [([], [])] * 3


async def test_a_number_changed_in_one_translation_is_reported_there_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="precis_news.pipeline.checks"):
        en, fr, uk = await _summaries(fr_replace={"100,000": "10 000"})
    assert fr.number_issues == [NumberIssue(CHANGED, "100,000", "10 000")]
    assert en.number_issues == uk.number_issues == []
    [line] = [r.getMessage() for r in caplog.records]
    assert line == "summary checks: fr: changed 100,000 -> 10 000"


async def test_a_number_dropped_or_added_in_translation_is_reported() -> None:
    _, fr, _ = await _summaries(fr_replace={"100,000 ": ""})
    assert fr.number_issues == [NumberIssue(DROPPED, "100,000")]
    _, fr, _ = await _summaries(fr_replace={"in 2025": "in 2025 at 9"})
    assert fr.number_issues == [NumberIssue(ADDED, "9")]


async def test_a_figure_the_article_never_gave_is_flagged_in_every_summary() -> None:
    en, fr, uk = await _summaries(summary_replace={"2025": "2027"})
    assert en.number_issues == [NumberIssue(NOT_IN_ARTICLE, "2027")]
    assert fr.number_issues == uk.number_issues == [NumberIssue(NOT_IN_ARTICLE, "2027")]


async def test_a_name_dropped_in_translation_is_reported() -> None:
    _, fr, uk = await _summaries(fr_replace={"Doucet": "le maire"})
    assert fr.missing_names == ["Doucet"]
    assert uk.missing_names == []


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("language", ["fr", "uk", "ru"])
def test_nothing_is_flagged_on_the_correct_corpus(case: int, language: str) -> None:
    texts = CASES[case]
    reference = checks.Reference.build(Article.of(texts["en"]), sources=True)
    source = checks.check_summary(reference, Summary("en", texts["en"], "m"))
    translated = checks.check_translation(
        reference, source, Summary(language, texts[language], "t", "en")
    )
    assert source.number_issues == []
    assert (translated.number_issues, translated.missing_names) == ([], [])
