"""Which sentences of a long article are read: ranked selection within a token budget."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from precis_models.loader import Hop, LoadedModel
from precis_models.prose import select_prose
from precis_news.pipeline.jobs import Metadata
from precis_news.pipeline.translation import fit_to_hop

log = logging.getLogger(__name__)


async def select_for_translation(
    sentences: list[str], *, hop: Hop | None, budget: int, metadata: Metadata
) -> list[str]:
    """The article's sentences worth translating before summarizing: all of them when they
    fit `budget` translator tokens (0: no limit), else the highest-ranked that fit, in article
    order (ranked in the source language, so nothing is translated to be dropped).

    Sentences longer than the translator reads count as one sentence per piece that fits it
    (so one endless "sentence" cannot make the work unbounded).

    Args:
        sentences: the article's visible sentences.
        hop: the first translation step towards English, or None when there is none.
        budget: max_translated_tokens.
        metadata: gets source_sentences, selected_sentences and unselected_characters.
    """
    if hop is None or not sentences:
        metadata.source_sentences = metadata.selected_sentences = len(sentences)
        return sentences
    (fitted,), _ = await fit_to_hop(hop, [sentences])
    return await _selected(fitted, budget=budget, metadata=metadata, purpose="translating")


async def select_for_summary(
    model: LoadedModel, sentences: list[str], *, budget: int, metadata: Metadata
) -> list[str]:
    """The article's visible `sentences` when they fit `budget` summarizer tokens, else their
    highest-ranked pieces that fit, in article order (one summarizer call whatever the
    article's length; what was left out is reported in `metadata` as for
    select_for_translation)."""
    fitted = await asyncio.to_thread(model.fit, [sentences], budget=budget)
    chosen = await _selected(fitted[0], budget=budget, metadata=metadata, purpose="summarizing")
    return sentences if metadata.selected_sentences == metadata.source_sentences else chosen


async def _selected(
    fitted: Sequence[tuple[str, int]], *, budget: int, metadata: Metadata, purpose: str
) -> list[str]:
    """The pieces (with their tokens) that fit `budget` (0: all), the highest-ranked first
    chosen, in article order; counted in `metadata`."""
    sentences = [piece for piece, _ in fitted]
    lengths = [tokens for _, tokens in fitted]
    metadata.source_sentences = metadata.selected_sentences = len(sentences)
    if not budget or sum(lengths) <= budget:
        return sentences
    # Captions, credits and bylines are never picked (precis_models.prose).
    chosen = await asyncio.to_thread(lambda: select_prose(sentences, lengths, budget=budget))
    kept = set(chosen)
    metadata.selected_sentences = len(chosen)
    metadata.unselected_characters = sum(len(s) for i, s in enumerate(sentences) if i not in kept)
    log.info(
        "%s %d of %d sentences (%d characters left out)",
        purpose,
        len(chosen),
        len(sentences),
        metadata.unselected_characters,
    )
    return [sentences[i] for i in chosen]
