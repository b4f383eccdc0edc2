"""Sentence sources: a summary that reuses known article sentences points back at them."""

from __future__ import annotations

from precis_news.pipeline.provenance import ArticleIndex, summary_sources, translated_sources

ARTICLE = (
    "Harbour strike ends.\n\n"
    "Dock workers in Marseille ended a nine-day strike on Friday after the port authority "
    "agreed to a new wage deal. The strike had left 40 container ships waiting offshore. "
    "Union leaders said the agreement raises wages by 4% over two years. "
    "Shipping companies welcomed the news but warned that delays would last for weeks."
)


def test_each_summary_sentence_points_at_the_article_sentence_it_reuses() -> None:
    index = ArticleIndex.of(ARTICLE)
    summary = (
        "The strike had left 40 container ships waiting offshore. "
        "Union leaders said the agreement raises wages."
    )
    first, second = summary_sources(index, summary)
    assert (first.sentence, second.sentence) == (0, 1)
    assert first.sources[0].index == 2 and first.sources[0].score == 1.0
    assert first.sources[0].text == "The strike had left 40 container ships waiting offshore."
    assert second.sources[0].index == 3 and 0.9 < second.sources[0].score <= 1.0
    assert all(s.score >= 0.2 for s in first.sources + second.sources)


def test_a_sentence_sharing_nothing_has_no_source() -> None:
    [only] = summary_sources(ArticleIndex.of(ARTICLE), "Quantum gravity remains elusive.")
    assert only.sources == []


def test_translated_sentences_map_to_the_same_sources() -> None:
    index = ArticleIndex.of(ARTICLE)
    source = summary_sources(index, "The strike had left 40 ships waiting. Union leaders said so.")
    fr = translated_sources(source, "La grève avait laissé 40 navires. Les syndicats l'ont dit.")
    assert [s.sources for s in fr] == [s.sources for s in source]
    merged = translated_sources(source, "Une seule phrase.")
    assert merged[0].sources == source[0].sources


def test_empty_and_invisible_input_has_no_sources() -> None:
    assert summary_sources(ArticleIndex.of(""), "") == []
    assert summary_sources(ArticleIndex.of(ARTICLE), "\u200b")[0].sources == []
    assert translated_sources([], "Phrase.")[0].sources == []
