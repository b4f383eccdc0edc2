"""The pipeline through a real server on the tiny models: long and non-English articles at
bounded cost, nothing cut silently, summaries that end on a sentence, BART's prefix."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from precis_news.client import PrecisClient
from precis_news.models.engines.base import GenerateOptions, Output, generate_outputs
from precis_news.models.loader import decoding_options
from precis_news.models.sentences import end_on_sentence, split_sentences
from precis_news.pipeline import summarizer_inputs
from tests.conftest import ServerThread, article


def long_article(language: str, characters: int) -> str:
    """`characters` of news text in `language`: the corpus article, repeated with numbered
    paragraphs so that no two paragraphs are the same."""
    paragraphs = article(language).split("\n\n")
    out: list[str] = []
    size = i = 0
    while size < characters:
        paragraph = f"{i + 1}. {paragraphs[i % len(paragraphs)]}"
        out.append(paragraph)
        size += len(paragraph) + 2
        i += 1
    return "\n\n".join(out)[:characters]


@pytest.mark.parametrize(("language", "characters"), [("ru", 120_000), ("uk", 190_000)])
def test_a_long_non_english_article_is_served_with_its_selection_reported(
    client: PrecisClient, language: str, characters: int
) -> None:
    text = long_article(language, characters)
    response = client.summarize(text, targets=["en", "uk"], source_language=language)
    assert [s.language for s in response.summaries] == ["en", "uk"]
    meta = response.metadata
    assert meta.input_characters == characters
    assert meta.summarized_in == "en"
    # Far more sentences than the queue (512) holds; only the best-ranked are translated.
    assert meta.source_sentences >= len(split_sentences(text)) > 512
    assert 0 < meta.selected_sentences < meta.source_sentences
    assert 0 < meta.unselected_characters < characters
    assert not meta.truncated  # selection is reported in its own fields, not as a cut


def test_a_short_non_english_article_is_translated_whole(client: PrecisClient) -> None:
    text = article("fr").split("\n\n")[0]
    meta = client.summarize(text, targets=["fr"], source_language="fr").metadata
    assert meta.source_sentences == meta.selected_sentences == len(split_sentences(text))
    assert meta.unselected_characters == 0


def test_a_word_of_150000_characters_is_chunked_and_what_was_left_out_reported(
    client: PrecisClient,
) -> None:
    word = ("Préfecture" * 15_000)[:150_000]
    meta = client.summarize(word, targets=["en"], source_language="en").metadata
    assert meta.chunks > 32  # split to the window, not cut to one chunk of 512 tokens
    assert meta.truncated  # more chunks than max_chunks (32): the rest is reported
    assert 0 < meta.truncated_characters < len(word)


def test_the_summarizer_reads_each_chunk_after_the_bart_prefix(
    server: ServerThread, client: PrecisClient
) -> None:
    models = server.server.models
    assert models is not None
    summarizer = models.summarizer
    assert summarizer.spec.prefix == " "  # as the real BART CNN configs say
    text = "The harbour authority opened a third pier for ferries on Tuesday."
    assert summarizer_inputs(summarizer, [text]) == [" " + text]
    engine = summarizer.batcher.engine
    assert engine.count_tokens([text]) != engine.count_tokens([" " + text]) or (
        engine.encode([text]) != engine.encode([" " + text])  # type: ignore[attr-defined]
    )
    options = decoding_options(summarizer.spec, max_new_tokens=12, min_new_tokens=0)
    (raw,) = generate_outputs(engine, [" " + text], options)
    response = client.summarize(text, targets=["en"], min_tokens=0, max_tokens=12)
    expected = raw.text.strip() if raw.ended else end_on_sentence(raw.text)
    assert response.summaries[0].text == expected


class SentenceThenRealOutput:
    """The server's real tiny summarizer, whose output is put after one complete sentence: random
    weights never write a sentence end, so this is how a cut after a sentence is forced."""

    FIRST = "The council approved the budget."

    def __init__(self, inner: object) -> None:
        self.inner = inner
        for name in ("name", "max_input_tokens", "parallelism", "count_tokens"):
            setattr(self, name, getattr(inner, name))

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        return [o.text for o in self.generate_outputs(texts, options, limits=limits)]

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        outputs = generate_outputs(self.inner, texts, options, limits=limits)  # type: ignore[arg-type]
        return [Output(f"{self.FIRST} {o.text.strip()}", o.ended) for o in outputs]


def test_a_summary_cut_at_its_maximum_ends_on_its_last_full_sentence(
    server: ServerThread, client: PrecisClient
) -> None:
    models = server.server.models
    assert models is not None
    batcher = models.summarizer.batcher
    real = batcher.engine
    batcher.engine = SentenceThenRealOutput(real)  # type: ignore[assignment]
    try:
        text = "A cut probe: the ferry timetable changes on the first of May."
        response = client.summarize(text, targets=["en"], min_tokens=8, max_tokens=8)
    finally:
        batcher.engine = real
    options = decoding_options(models.summarizer.spec, max_new_tokens=8, min_new_tokens=8)
    (raw,) = generate_outputs(real, [" " + text], options)
    assert not raw.ended  # the forced cut: generation stopped at its maximum
    assert response.summaries[0].text == SentenceThenRealOutput.FIRST
    assert response.metadata.summary_trimmed_characters == len(raw.text.strip()) + 1
