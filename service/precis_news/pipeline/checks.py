"""The checks a reader can verify on each summary: numbers kept, names kept, sentence sources."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from precis_news import findings
from precis_news.pipeline import names, numbers, provenance, translated_names
from precis_news.pipeline.context import Article
from precis_news.pipeline.jobs import Summary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    """What a request's summaries are checked against, built once from the article."""

    numbers: frozenset[Decimal]
    index: provenance.ArticleIndex | None = None  # only when sources were asked for

    @classmethod
    def build(
        cls,
        article: Article,
        *,
        sources: bool,
        readable: Sequence[str] = (),
        read_from: Sequence[str] = (),
    ) -> Reference:
        """The article's numbers and, with `sources`, its sentence index.

        Args:
            article: the article as sent (title and text), with its sentences.
            sources: index the sentences for provenance.
            readable: the sentences the summarizer read, when it read a translation.
            read_from: the article sentences `readable` translates, one each.
        """
        pool = numbers.values(article.text) | numbers.values(" ".join(readable))
        if not sources:
            return cls(pool)
        if not readable:
            return cls(pool, provenance.ArticleIndex(article.sentences))
        at = {s: i for i, s in reversed(list(enumerate(article.sentences)))}
        index = provenance.ArticleIndex(
            read_from, readable=readable, positions=[at.get(s, -1) for s in read_from]
        )
        return cls(pool, index)


def check_summary(reference: Reference, summary: Summary) -> Summary:
    """The summary the summarizer wrote, with its numbers the article lacks, and its sources."""
    issues = [
        numbers.NumberIssue(numbers.NOT_IN_ARTICLE, m.text)
        for m in numbers.not_in(numbers.mentions(summary.text), reference.numbers)
    ]
    sources = provenance.summary_sources(reference.index, summary.text) if reference.index else []
    return dataclasses.replace(summary, number_issues=issues, sources=sources)


def check_translation(reference: Reference, source: Summary, translated: Summary) -> Summary:
    """A translation of `source` (itself checked by check_summary), with the numbers it changed,
    dropped or added, the source's invented numbers it repeats, the source's names it lacks, and
    its sentences' sources."""
    own = numbers.mentions(translated.text)
    issues = numbers.compare_translation(numbers.mentions(source.text), own)
    flagged = {i.found or i.number for i in issues}
    issues += [
        numbers.NumberIssue(numbers.NOT_IN_ARTICLE, m.text)
        for m in numbers.not_in(own, reference.numbers)
        if m.text not in flagged
    ]
    return dataclasses.replace(
        translated,
        number_issues=issues,
        missing_names=translated_names.missing(
            names.names(source.text, source.language), translated.text
        ),
        sources=(
            provenance.translated_sources(source.sources, translated.text)
            if reference.index
            else []
        ),
    )


def log_flags(summaries: Sequence[Summary]) -> None:
    """The request's one log line about its flagged summaries (none when all pass)."""
    lines = [findings.log_line(s) for s in summaries if findings.flagged(s)]
    if lines:
        log.info("summary checks: %s", " | ".join(lines))
