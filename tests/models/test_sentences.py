"""Sentence splitting and packing on real text in four languages."""

from __future__ import annotations

from precis_news.models.sentences import pack, split_sentences
from tests.conftest import (
    article,
)


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
