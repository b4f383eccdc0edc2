"""The one interface every engine implements: count tokens, generate a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


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


@dataclass(frozen=True)
class Output:
    """One generated text, and whether the model ended it (False: cut at its token limit)."""

    text: str
    ended: bool = True


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
    """A loaded model of any family (or an algorithm with the same shape).

    Calls come from one worker thread at a time (the model's batcher); implementations need not
    be thread-safe but must not touch the event loop.
    """

    name: str
    max_input_tokens: int
    parallelism: int  # calls that may run at once (from as many threads)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text, special tokens included."""
        ...

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        """Decode one output per input text, in order, with whether the model ended it.

        Args:
            texts: the inputs.
            options: decoding for the whole call.
            limits: per text, at most this many tokens of output (default: max_new_tokens).
        """
        ...
