"""Ranked selection with stand-in models: what fits is kept whole, a long article keeps its
highest-ranked sentences within the budget, in article order, and what was left out is counted."""

from __future__ import annotations

from precis_news.pipeline.jobs import Metadata
from precis_news.pipeline.selection import select_for_summary, select_for_translation
from precis_news.pipeline.validation import visible_sentences
from tests.unit.precis_news.pipeline.stand_ins import FirstWords, model_set, serving

SENTENCES = [f"Sentence {i} of the council report." for i in range(10)]  # 6 words each
TEXT = " ".join(SENTENCES)


async def _for_summary(text: str, *, budget: int) -> tuple[str, Metadata]:
    models = model_set(FirstWords("sum-en", max_input_tokens=budget), translators=[])
    metadata = Metadata()
    async with serving(models) as pipeline:
        selected = await select_for_summary(
            pipeline.models.summarizer, visible_sentences(text), budget=budget, metadata=metadata
        )
    return " ".join(selected), metadata


async def test_an_article_that_fits_is_read_whole_and_unchanged() -> None:
    selected, metadata = await _for_summary(TEXT, budget=60)
    assert selected == TEXT
    assert metadata.source_sentences == metadata.selected_sentences == 10
    assert metadata.unselected_characters == 0


async def test_a_long_article_keeps_its_best_sentences_in_article_order() -> None:
    selected, metadata = await _for_summary(TEXT, budget=20)
    kept = [s for s in SENTENCES if s in selected]
    assert len(selected.split()) <= 20 and len(kept) == metadata.selected_sentences == 3
    assert selected == " ".join(kept)  # article order, nothing rewritten
    assert SENTENCES[0] in kept  # the lead ranks first in news
    assert metadata.source_sentences == 10
    assert metadata.unselected_characters == sum(len(s) for s in SENTENCES if s not in kept)


async def test_one_endless_sentence_is_read_in_pieces_and_the_rest_reported() -> None:
    word_salad = " ".join(f"word{i}" for i in range(500))  # no sentence end at all
    selected, metadata = await _for_summary(word_salad, budget=40)
    assert 0 < len(selected.split()) <= 40
    assert metadata.source_sentences > 1 and metadata.selected_sentences >= 1
    assert 0 < metadata.unselected_characters < len(word_salad)


async def test_nothing_visible_selects_nothing() -> None:
    selected, metadata = await _for_summary("\u200b \u2060\n", budget=20)
    assert metadata.source_sentences == metadata.selected_sentences == 0
    assert not selected.strip("\u200b \u2060\n")


async def test_translation_selection_without_a_route_keeps_every_sentence() -> None:
    metadata = Metadata()
    selected = await select_for_translation(SENTENCES, hop=None, budget=5, metadata=metadata)
    assert selected == SENTENCES and metadata.selected_sentences == 10


async def test_captions_credits_and_bylines_are_never_selected() -> None:
    furniture = [
        "Credit: AP",
        "By Jane Doe",
        "Getty Images",
        "Sky's Rachel Younger reports from Moscow",
    ]
    text = "\n".join(s for pair in zip(SENTENCES, furniture * 3, strict=False) for s in pair)
    selected, metadata = await _for_summary(text, budget=20)
    assert metadata.selected_sentences == 3 and metadata.source_sentences == 20
    assert not any(line in selected for line in furniture)
