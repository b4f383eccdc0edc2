"""Chunk-and-merge summarization with a stand-in summarizer: chunks fit the window, merges
converge, what is left out is reported, a cut summary ends on a sentence."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from precis_models.engines.base import GenerateOptions, Output
from precis_models.sentences import pack
from precis_news.pipeline.chunking import MAX_MERGE_PASSES, summarize_sentences
from precis_news.pipeline.jobs import Metadata
from precis_news.pipeline.validation import visible_sentences
from tests.unit.precis_news.pipeline.stand_ins import (
    CallersSeen,
    FirstWords,
    model_set,
    serving,
    summarizer_spec,
)

SENTENCES = [f"Sentence {i} of the council report." for i in range(10)]  # 6 words each
TEXT = " ".join(SENTENCES)
WINDOW = 20  # the stand-in summarizer reads 20 words: chunks of 17 (begin, end and prefix)


class Echo(FirstWords):
    """A summarizer that writes its whole input: summaries that never get shorter."""

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        self.calls.append(list(texts))
        return [Output(text.strip()) for text in texts]


async def _summarize(
    text: str,
    *,
    summarizer: FirstWords | None = None,
    prefix: str = " ",
    low: int = 3,
    high: int = 8,
    max_chunks: int = 32,
) -> tuple[str, Metadata, FirstWords]:
    engine = summarizer or FirstWords("sum-en", max_input_tokens=WINDOW)
    spec = summarizer_spec(max_input_tokens=WINDOW, prefix=prefix)
    models = model_set(engine, summarizer_model=spec, translators=[])
    metadata = Metadata()
    async with serving(models) as pipeline:
        summary = await summarize_sentences(
            pipeline.models.summarizer,
            visible_sentences(text),
            low=low,
            high=high,
            max_chunks=max_chunks,
            metadata=metadata,
        )
    return summary, metadata, engine


def _words(text: str) -> int:
    return len(text.split())


async def test_a_short_text_is_one_chunk_summarized_once() -> None:
    summary, metadata, engine = await _summarize(SENTENCES[0])
    assert summary == SENTENCES[0]
    assert (metadata.chunks, metadata.merge_passes, metadata.input_tokens) == (1, 0, 6)
    assert engine.calls == [[" " + SENTENCES[0]]]  # after the model's prefix


async def test_a_long_text_is_chunked_to_the_window_and_merged_into_one() -> None:
    summary, metadata, engine = await _summarize(TEXT)
    assert metadata.chunks == 5  # two sentences (12 words) per chunk of at most 17
    assert metadata.input_tokens == _words(TEXT)
    assert 1 <= metadata.merge_passes < MAX_MERGE_PASSES
    assert not metadata.truncated and metadata.truncated_characters == 0
    assert all(_words(text) <= WINDOW - 2 for call in engine.calls for text in call)
    assert len(engine.calls[-1]) == 1  # the last call summarizes one merged chunk
    assert summary.startswith("Sentence 0 of the Sentence 2")  # merged from chunk summaries


async def test_a_text_in_chunks_is_long_work_to_its_last_merge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = CallersSeen(monkeypatch)
    await _summarize(TEXT)
    calls = seen.long("sum-en")
    assert len(calls) > 2 and all(calls)  # the chunks', and the merges' (short as they are)
    seen.callers.clear()
    await _summarize(SENTENCES[0])
    assert seen.long("sum-en") == [False]  # one chunk: a short request


async def test_without_a_prefix_the_chunks_take_its_token_too() -> None:
    _, metadata, engine = await _summarize(TEXT, prefix="")
    assert engine.calls[0][0] == " ".join(SENTENCES[:3])  # 18 words: the whole budget
    assert metadata.chunks == 4


async def test_chunks_beyond_max_chunks_are_left_out_and_reported() -> None:
    _, metadata, _ = await _summarize(TEXT, max_chunks=2)
    chunks = pack(SENTENCES, budget=WINDOW - 3, count=lambda ts: [_words(t) for t in ts])
    assert metadata.chunks == 5 and metadata.truncated
    assert metadata.truncated_characters == sum(len(c) for c in chunks[2:])


async def test_merging_stops_after_max_merge_passes_and_reports_the_rest() -> None:
    _, metadata, _ = await _summarize(TEXT, summarizer=Echo("sum-en", max_input_tokens=WINDOW))
    assert metadata.merge_passes == MAX_MERGE_PASSES
    assert metadata.truncated and 0 < metadata.truncated_characters < len(TEXT)


async def test_a_summary_cut_at_its_maximum_ends_on_its_last_full_sentence() -> None:
    text = "The council approved the budget. Then the mayor spoke for a long time."
    summary, metadata, _ = await _summarize(text, low=8, high=8)
    cut = "The council approved the budget. Then the mayor"  # 8 words, not ended
    assert summary == "The council approved the budget."
    assert metadata.summary_trimmed_characters == len(cut) - len(summary)


async def test_a_text_with_nothing_visible_summarizes_to_nothing() -> None:
    summary, metadata, engine = await _summarize("\u200b\n\n\ufeff")
    assert summary == "" and engine.calls == [] and metadata.chunks == 0
