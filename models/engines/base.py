"""The one interface every engine implements: count tokens, generate a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class GenerateOptions:
    """How to decode; hashable, so requests with equal options share a batch.

    Lengths count generated tokens without the end-of-sequence token, in every engine.
    """

    max_new_tokens: int
    min_new_tokens: int = 0
    num_beams: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0


class Engine(Protocol):
    """A loaded seq2seq model (or an algorithm with the same shape).

    Calls come from one worker thread at a time (the model's batcher); implementations need not
    be thread-safe but must not touch the event loop.
    """

    name: str
    max_input_tokens: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text, special tokens included."""
        ...

    def generate(self, texts: Sequence[str], options: GenerateOptions) -> list[str]:
        """Decode one output per input text, in order."""
        ...


class TokenizedEngine:
    """Shared half of the model engines: a Hugging Face tokenizer on both ends."""

    name: str
    max_input_tokens: int
    tokenizer: Any
    prefix_length: int = 0  # tokens a model forces before its output (BART's <s>)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # verbose=False: counting text longer than the model takes is how chunking starts.
        return [len(ids) for ids in self.tokenizer(list(texts), verbose=False)["input_ids"]]

    def generate(self, texts: Sequence[str], options: GenerateOptions) -> list[str]:
        return self.tokenizer.batch_decode(
            self.generate_ids(texts, options), skip_special_tokens=True
        )

    def content_ids(self, texts: Sequence[str], options: GenerateOptions) -> list[list[int]]:
        """Generated ids without special tokens (to compare engines token by token)."""
        special = set(self.tokenizer.all_special_ids)
        return [[i for i in ids if i not in special] for ids in self.generate_ids(texts, options)]

    def generate_ids(self, texts: Sequence[str], options: GenerateOptions) -> list[list[int]]:
        """Generated token ids, special tokens included."""
        raise NotImplementedError


def forced_bos_token(path: Path) -> int | None:
    """The token a model forces first: generation_config.json, else config.json (older hubs)."""
    from transformers import AutoConfig, GenerationConfig

    try:
        return GenerationConfig.from_pretrained(path).forced_bos_token_id
    except OSError:
        return getattr(AutoConfig.from_pretrained(path), "forced_bos_token_id", None)
