"""Summarize a text of any length: chunk it at sentences, summarize the chunks, merge, repeat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from precis_models.batching import Generated
from precis_models.loader import LoadedModel
from precis_models.scheduling import ANYONE, Caller
from precis_models.sentences import end_on_sentence, pack
from precis_news.pipeline.jobs import Metadata

log = logging.getLogger(__name__)

MAX_MERGE_PASSES = 4


async def summarize_sentences(
    model: LoadedModel,
    sentences: Sequence[str],
    *,
    low: int,
    high: int,
    max_chunks: int,
    metadata: Metadata,
    caller: Caller = ANYONE,
) -> str:
    """Summarize a text, given as its visible sentences, into `low`..`high` tokens, however
    long it is.

    Returns "" for no sentences (e.g. an article of invisible characters whose translation
    came back empty): an empty summary, not an error.

    Args:
        model: the summarizer.
        sentences: what to summarize (visible sentences, or pieces of them, in order).
        low, high: the summary's bounds in generated tokens.
        max_chunks: chunks read; the rest is left out and reported in `metadata`.
        metadata: gets input_tokens, chunks, merge_passes and what was truncated.
        caller: whom the model calls are for (priority, fair-share key, deadline).
    """
    budget = model.window  # as the model's family counts it
    if not sentences:
        return ""
    chunks = await _chunks(model, sentences, budget=budget, most=max_chunks, metadata=metadata)
    if len(chunks) > 1:
        caller = caller.as_long_work()  # the merge too is long work's
    chunks = await _merge(
        model, chunks, budget=budget, low=low, high=high, metadata=metadata, caller=caller
    )
    generated = await _generate(model, chunks, low=low, high=high, metadata=metadata, caller=caller)
    summary = generated.outputs[0].strip()
    if not generated.ended[0]:
        # Cut at the maximum without an end token: end on the last complete sentence.
        ended = end_on_sentence(summary)
        metadata.summary_trimmed_characters = len(summary) - len(ended)
        summary = ended
    return summary


async def _chunks(
    model: LoadedModel, sentences: Sequence[str], *, budget: int, most: int, metadata: Metadata
) -> list[str]:
    """The sentences packed into chunks of `budget` tokens, the first `most` of them."""
    chunks = await asyncio.to_thread(
        lambda: pack(sentences, budget=budget, count=model.count_tokens)
    )
    chunk_tokens = await asyncio.to_thread(model.count_tokens, chunks)
    metadata.input_tokens = sum(chunk_tokens)
    metadata.chunks = len(chunks)
    if len(chunks) > most:
        metadata.truncated = True
        metadata.truncated_characters = sum(len(c) for c in chunks[most:])
        chunks = chunks[:most]
        log.warning(
            "article cut to %d chunks (%d characters left out)",
            len(chunks),
            metadata.truncated_characters,
        )
    return chunks


async def _merge(
    model: LoadedModel,
    chunks: list[str],
    *,
    budget: int,
    low: int,
    high: int,
    metadata: Metadata,
    caller: Caller,
) -> list[str]:
    """Summarize the chunks and pack the summaries again until one chunk is left (at most
    MAX_MERGE_PASSES passes; what is left over then is reported as truncated)."""
    growth = 1.0  # how much longer outputs re-tokenize than generated (1.0 for real models)
    while len(chunks) > 1:
        # Intermediate summaries share the window, so that their merge fits in one chunk.
        per_chunk = max(4, min(high, int(budget / (len(chunks) * growth))))
        generated = await _generate(
            model,
            chunks,
            low=min(low, per_chunk),
            high=per_chunk,
            metadata=metadata,
            caller=caller,
        )
        metadata.merge_passes += 1
        counts = await asyncio.to_thread(model.count_tokens, generated.outputs)
        growth = max(growth, max(counts) / per_chunk)
        chunks = pack(generated.outputs, budget=budget, count=model.count_tokens, lengths=counts)
        if metadata.merge_passes >= MAX_MERGE_PASSES and len(chunks) > 1:
            metadata.truncated = True
            metadata.truncated_characters += sum(len(c) for c in chunks[1:])
            chunks = chunks[:1]
    return chunks


async def _generate(
    model: LoadedModel,
    chunks: Sequence[str],
    *,
    low: int,
    high: int,
    metadata: Metadata,
    caller: Caller,
) -> Generated:
    """One summary of `low`..`high` tokens per chunk, counted in `metadata` (a Summarize call
    was admitted before its detection, see Pipeline._first_model: never refused here)."""
    generated = await model.generate(
        model.inputs(chunks),
        model.options(max_new_tokens=high, min_new_tokens=low),
        admitted=True,
        caller=caller,
    )
    metadata.add(generated)
    return generated
