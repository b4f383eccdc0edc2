"""The one interface every engine implements: count tokens, generate a batch."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class GenerateOptions:
    """How to decode (hashable: part of cache keys).

    Lengths count generated tokens without the end-of-sequence token, in every engine.
    """

    max_new_tokens: int
    min_new_tokens: int = 0
    num_beams: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    @property
    def search(self) -> tuple[int, float, int, int, int]:
        """What must be equal for texts to share a model call.

        Greedy outputs cut to a shorter maximum are exactly what that maximum would give, so
        greedy texts of any maximum share calls; beam search is not, so it needs equal maxima
        (callers round lengths to buckets to keep batches full).
        """
        longest = self.max_new_tokens if self.num_beams > 1 else 0
        return (
            self.num_beams,
            self.length_penalty,
            self.no_repeat_ngram_size,
            self.min_new_tokens,
            longest,
        )


def batch_options(options: Sequence[GenerateOptions]) -> GenerateOptions:
    """One call's options for texts with the same `search`: run to the longest maximum (each
    output is then cut to its own)."""
    first = options[0]
    return GenerateOptions(
        max_new_tokens=max(o.max_new_tokens for o in options),
        min_new_tokens=first.min_new_tokens,
        num_beams=first.num_beams,
        length_penalty=first.length_penalty,
        no_repeat_ngram_size=first.no_repeat_ngram_size,
    )


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

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        """Decode one output per input text, in order.

        Args:
            texts: the inputs.
            options: decoding for the whole call.
            limits: per text, at most this many tokens of output (default: max_new_tokens).
        """
        ...


class TokenizedEngine:
    """Shared half of the model engines: a Hugging Face tokenizer on both ends."""

    name: str
    max_input_tokens: int
    tokenizer: Any
    prefix_length: int = 0  # tokens a model forces before its output (BART's <s>)
    # Fast tokenizers change their Rust state per call (truncation, padding) and fail with
    # "Already borrowed" when two threads use them at once: every use takes this lock.
    tokenizer_lock: threading.Lock

    def _load_tokenizer(self, path: Path) -> int | None:
        """Load the model's tokenizer and what it forces first; returns that token's id."""
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.tokenizer_lock = threading.Lock()
        forced = forced_bos_token(path)
        self.prefix_length = int(forced is not None)
        return forced

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # verbose=False: counting text longer than the model takes is how chunking starts.
        with self.tokenizer_lock:
            encoded = self.tokenizer(list(texts), verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        content = self.content_ids(texts, options)
        cut = (
            [ids[:limit] for ids, limit in zip(content, limits, strict=True)] if limits else content
        )
        with self.tokenizer_lock:
            return self.tokenizer.batch_decode(cut)

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
