"""Where each summary sentence came from: the article sentences it shares most words with."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from precis_models.sentences import split_sentences

MAX_SOURCES = 3  # article sentences listed per summary sentence
MIN_SCORE = 0.2  # share of a summary sentence's words an article sentence must hold to be listed
_WORD = re.compile(r"\w+")
_CONTENT_CHARS = 3  # shorter words (articles, prepositions) say nothing about the source


@dataclass(frozen=True)
class ArticleSentence:
    index: int  # in the article's sentences (models.sentences.split_sentences), from 0
    text: str
    score: float  # share of the summary sentence's content words found in it, 0..1


@dataclass(frozen=True)
class SentenceSources:
    sentence: int  # index of the summary sentence, from 0
    text: str
    sources: list[ArticleSentence] = field(default_factory=list)


class ArticleIndex:
    """An article's sentences and an inverted index of their content words (built once per
    request; a lookup costs the summary sentence's words' postings, not the article's length).

    `readable` are the texts matched, one per sentence, when the summary was written from a
    translation (an article the summarizer cannot read): the sentences themselves are listed.
    `positions` are the sentences' indices in the whole article, when these are a selection.
    """

    def __init__(
        self,
        sentences: Sequence[str],
        *,
        readable: Sequence[str] | None = None,
        positions: Sequence[int] | None = None,
    ) -> None:
        self.sentences = list(sentences)
        self.positions = list(positions) if positions is not None else list(range(len(sentences)))
        self._postings: dict[str, list[int]] = defaultdict(list)
        for i, text in enumerate(readable if readable is not None else sentences):
            for word in _content(text):
                self._postings[word].append(i)

    @classmethod
    def of(cls, article: str) -> ArticleIndex:
        return cls(split_sentences(article))

    def sources(self, sentence: str) -> list[ArticleSentence]:
        """The article sentences holding most of `sentence`'s content words, best first."""
        words = _content(sentence)
        if not words:
            return []
        shared: dict[int, int] = defaultdict(int)
        for word in words:
            for i in self._postings.get(word, ()):
                shared[i] += 1
        best = sorted(shared.items(), key=lambda pair: (-pair[1], pair[0]))[:MAX_SOURCES]
        return [
            ArticleSentence(self.positions[i], self.sentences[i], round(count / len(words), 3))
            for i, count in best
            if count / len(words) >= MIN_SCORE
        ]


def summary_sources(index: ArticleIndex, summary: str) -> list[SentenceSources]:
    """Each sentence of a summary written from the article, with its article sentences."""
    return [SentenceSources(i, s, index.sources(s)) for i, s in enumerate(split_sentences(summary))]


def translated_sources(
    source: Sequence[SentenceSources], translation: str
) -> list[SentenceSources]:
    """Each sentence of a translated summary with the sources of the summary sentence it
    translates: the same position when the sentence counts agree (the summary is translated
    sentence by sentence), else the proportional one."""
    sentences = split_sentences(translation)
    if not source:
        return [SentenceSources(i, s) for i, s in enumerate(sentences)]
    return [
        SentenceSources(i, s, list(source[i * len(source) // len(sentences)].sources))
        for i, s in enumerate(sentences)
    ]


def _content(sentence: str) -> set[str]:
    return {w for w in _WORD.findall(sentence.lower()) if len(w) > _CONTENT_CHARS}
