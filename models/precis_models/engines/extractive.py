"""Extractive summarizer: ranks sentences by salience and position; no weights, any language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from precis_models.engines.base import GenerateOptions, Output
from precis_models.prose import join_sentences, select_prose
from precis_models.sentences import split_sentences

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

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        """The chosen sentences of each text; always ended (a selection is never cut)."""
        budgets = limits or [options.max_new_tokens] * len(texts)
        return [
            Output(self._summarize(t, budget)) for t, budget in zip(texts, budgets, strict=True)
        ]

    def _summarize(self, text: str, budget: int) -> str:
        sentences = split_sentences(text)
        # Captions, credits and bylines are never picked; a headline or list item picked gets
        # the full stop it lacks, so it does not run into the next sentence.
        chosen = select_prose(sentences, self.count_tokens(sentences), budget=budget)
        return join_sentences([sentences[i] for i in chosen])
