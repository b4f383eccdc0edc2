"""Sentence splitting and packing for en/fr/uk/ru news text (rule-based, no model)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "gov",
        "sen",
        "rep",
        "no",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "mme",
        "mlle",
        "m",
        "p.ex",
        "av",
        "apr.-j.-c",
        "г",
        "гг",
        "им",
        "ул",
        "т.е",
        "т.д",
        "т.п",
        "др",
        "проф",
        "акад",
        "вул",
        "див",
    ]
)
# A sentence ends at . ! ? … (and closing quotes/brackets) followed by space and a capital,
# digit, quote or dash.
_BOUNDARY = re.compile(r"[.!?…][\"'»”)\]]*(?=\s+[\"'«“(\[\-–—]?[\dA-ZÀ-ÖØ-ÞА-ЯЁЄІЇҐ])")
_PARAGRAPH = re.compile(r"\n\s*\n|\r\n\s*\r\n")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; paragraph breaks always end a sentence.

    Returns:
        Non-empty, stripped sentences in order.
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            candidate = paragraph[start : match.end()]
            last_word = candidate.rsplit(" ", 1)[-1].rstrip(".").lower()
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue  # "Dr. Smith", "J. K. Rowling"
            sentences.append(candidate.strip())
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def pack(
    sentences: Sequence[str],
    *,
    budget: int,
    count: Callable[[Sequence[str]], list[int]],
    separator: str = " ",
    lengths: Sequence[int] | None = None,
) -> list[str]:
    """Group consecutive sentences into chunks of at most `budget` tokens.

    A sentence longer than the budget on its own is split at word boundaries, so no text is lost.

    Args:
        sentences: the sentences, in order.
        budget: most tokens in one chunk (as `count` measures them).
        count: token counter for a batch of texts.
        separator: what joins sentences in a chunk.
        lengths: the sentences' token counts, when already known.

    Returns:
        The chunks, in order.
    """
    pieces: list[tuple[str, int]] = []
    for sentence, tokens in zip(sentences, lengths or count(sentences), strict=True):
        if tokens <= budget:
            pieces.append((sentence, tokens))
        else:
            pieces.extend(_split_long(sentence, budget=budget, count=count))
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for piece, tokens in pieces:
        if current and used + tokens > budget:
            chunks.append(separator.join(current))
            current, used = [], 0
        current.append(piece)
        used += tokens
    if current:
        chunks.append(separator.join(current))
    return chunks


def _split_long(
    sentence: str, *, budget: int, count: Callable[[Sequence[str]], list[int]]
) -> list[tuple[str, int]]:
    words = sentence.split()
    per_word = max(1.0, count([sentence])[0] / max(1, len(words)))
    step = max(1, int(budget / per_word * 0.9))
    parts = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
    return list(zip(parts, count(parts), strict=True))
