"""Sentence splitting, fitting to a model window, ranking, selection and sentence-end trimming."""

from __future__ import annotations

from pathlib import Path

import pytest

from precis_models.sentences import (
    end_on_sentence,
    fit,
    is_blank,
    pack,
    rank,
    select,
    split_sentences,
)
from tests.support import article, tiny_engine


@pytest.mark.parametrize("name", ["tiny-bart", "tiny-marian-fr-en"])
def test_a_word_longer_than_the_window_is_split_not_cut(model_dir: Path, name: str) -> None:
    engine = tiny_engine(model_dir, name)
    word = ("Préfecture" * 15_000)[:150_000]  # 150,000 characters without a space
    budget = engine.max_input_tokens - 2
    pieces = fit([word], budget=budget, count=engine.count_tokens)
    assert len(pieces) > 1
    assert "".join(piece for piece, _ in pieces) == word  # nothing lost
    assert all(tokens <= budget for _, tokens in pieces)
    assert [t for _, t in pieces] == engine.count_tokens([p for p, _ in pieces])


def test_a_long_sentence_is_split_at_spaces(model_dir: Path) -> None:
    engine = tiny_engine(model_dir, "tiny-marian-en-fr")
    sentence = " ".join(split_sentences(article("en")))  # one "sentence" of the whole article
    budget = 60
    pieces = fit([sentence], budget=budget, count=engine.count_tokens)
    assert len(pieces) > 1 and all(tokens <= budget for _, tokens in pieces)
    assert " ".join(piece for piece, _ in pieces) == sentence
    chunks = pack([sentence], budget=budget, count=engine.count_tokens)
    assert all(n <= budget for n in engine.count_tokens(chunks))


@pytest.mark.parametrize("text", ["\u200b", "\ufeff", "\u200e", " \u200b\n\t\ufeff ", ""])
def test_invisible_only_text_is_blank(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bб", "1", "."])
def test_visible_text_is_not_blank(text: str) -> None:
    assert not is_blank(text)


def test_a_cut_off_last_sentence_is_trimmed() -> None:
    full = "The council met on Monday. It approved the budget."
    assert end_on_sentence(full + " The mayor said that the") == full
    assert end_on_sentence(full) == full
    assert end_on_sentence("  " + full + "  ") == full
    # With no earlier sentence end, nothing shorter would end on a sentence: unchanged.
    assert end_on_sentence("the mayor said that the") == "the mayor said that the"
    assert end_on_sentence("Le conseil s'est réuni. « Il a voté. »") == (
        "Le conseil s'est réuni. « Il a voté. »"
    )


@pytest.mark.parametrize("language", ["en", "fr", "uk", "ru"])
def test_selection_keeps_ranked_sentences_within_budget_in_article_order(language: str) -> None:
    sentences = split_sentences(article(language))
    lengths = [len(s.split()) for s in sentences]
    chosen = select(sentences, lengths, budget=100)
    assert chosen == sorted(chosen) and chosen
    assert sum(lengths[i] for i in chosen) <= 100
    assert rank(sentences)[0] in chosen
    assert select(sentences, lengths, budget=10**6) == list(range(len(sentences)))


def test_sentences_in_four_languages() -> None:
    text = (
        'Dr. Smith arrived at 9 a.m. in Washington. He said: "We won!" Then he left.\n\n'
        "M. Dupont est arrivé. «Bonjour», a-t-il dit. Il est parti.\n\n"
        "Президент прибув до Києва. Він сказав: «Так!» Потім поїхав.\n\n"
        "Мэр открыл мост. Это было в 10 ч. утра."
    )
    assert split_sentences(text) == [
        "Dr. Smith arrived at 9 a.m. in Washington.",
        'He said: "We won!"',
        "Then he left.",
        "M. Dupont est arrivé.",
        "«Bonjour», a-t-il dit.",
        "Il est parti.",
        "Президент прибув до Києва.",
        "Він сказав: «Так!»",
        "Потім поїхав.",
        "Мэр открыл мост.",
        "Это было в 10 ч. утра.",
    ]


def test_pack_keeps_every_word_within_budget() -> None:
    def words(texts):  # type: ignore[no-untyped-def]
        return [len(t.split()) for t in texts]

    sentences = [*split_sentences(article("en")), "word " * 50]
    chunks = pack(sentences, budget=20, count=words)
    assert all(n <= 20 for n in words(chunks))
    assert " ".join(chunks).split() == " ".join(sentences).split()
