"""Extractive summarizer: ranks sentences by salience and position; no weights, any language."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from precis_news.models.engines.base import GenerateOptions
from precis_news.models.sentences import split_sentences

_WORD = re.compile(r"\w+", re.UNICODE)


class ExtractiveEngine:
    """Picks the most central sentences, in article order, within the length budget.

    Tokens are words here. Works for every language the sentence splitter knows, so articles are
    summarized in their own language (no translation before summarizing).
    """

    parallelism = 1

    def __init__(self, *, name: str = "extractive", max_input_tokens: int = 1_000_000) -> None:
        self.name = name
        self.max_input_tokens = max_input_tokens

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_WORD.findall(text)) for text in texts]

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        budgets = limits or [options.max_new_tokens] * len(texts)
        return [self._summarize(t, budget) for t, budget in zip(texts, budgets, strict=True)]

    def _summarize(self, text: str, budget: int) -> str:
        sentences = split_sentences(text)
        if not sentences:
            return ""
        words = [[w.lower() for w in _WORD.findall(s)] for s in sentences]
        # Content words: longer than 3 characters (a language-free stand-in for stop-word lists).
        frequency = Counter(w for ws in words for w in ws if len(w) > 3)

        def score(i: int) -> float:
            content = [frequency[w] for w in words[i] if len(w) > 3]
            salience = sum(content) / math.sqrt(len(words[i]) + 1)
            return salience * (1.0 + 1.0 / (i + 1))  # news: the lead matters most

        chosen: list[int] = []
        used = 0
        for i in sorted(range(len(sentences)), key=score, reverse=True):
            if chosen and used + len(words[i]) > budget:
                continue
            chosen.append(i)
            used += len(words[i])
            if used >= budget:
                break
        return " ".join(sentences[i] for i in sorted(chosen))
