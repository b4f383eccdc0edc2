"""The seq2seq family's engine half: a tokenizer on both ends and the token it forces first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from precis_models.engines.base import GenerateOptions, Output
from precis_models.engines.codec import Codec, load_codec, truncate
from precis_models.thread_priority import ThreadPriority


class TokenizedEngine:
    """Shared half of the seq2seq engines (CTranslate2, transformers): a codec (the model's
    tokenizer) on both ends, and the token the model forces first."""

    name: str
    max_input_tokens: int
    parallelism: int = 1
    codec: Codec
    prefix: list[str]  # tokens a model forces before its output (BART's <s>), or []
    forced_bos: int | None  # id of that token, or None
    thread_priority: ThreadPriority | None = None  # its inference threads, where they are known

    def _load_codec(self, path: Path) -> None:
        """Load the model's tokenizer and the token it forces first."""
        self.codec = load_codec(path)
        forced = self.forced_bos = forced_bos_token(path)
        self.prefix = self.codec.to_tokens([forced]) if forced is not None else []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(tokens) for tokens in self.codec.encode(texts)]

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """Input tokens of each text, cut to what the model takes (the pipeline splits texts so
        that nothing it sends is ever cut here: see models.sentences.fit)."""
        return [truncate(tokens, self.max_input_tokens) for tokens in self.codec.encode(texts)]

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        """The texts of `generate_outputs` (for callers that need no `ended`)."""
        return [output.text for output in self.generate_outputs(texts, options, limits=limits)]

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        """Decode one output per text, with whether it ended before its limit (Engine).

        An output that fills its whole limit counts as cut: neither engine reports the end token
        once the limit is reached (CTranslate2 drops it, transformers may not reach it).
        """
        content = self.content_tokens(texts, options)
        caps = list(limits) or [options.max_new_tokens] * len(content)
        cut = [tokens[:cap] for tokens, cap in zip(content, caps, strict=True)]
        texts_out = self.codec.decode(cut)
        return [
            Output(text, ended=len(tokens) < cap)
            for text, tokens, cap in zip(texts_out, content, caps, strict=True)
        ]

    def content_tokens(self, texts: Sequence[str], options: GenerateOptions) -> list[list[str]]:
        """Generated tokens without special tokens (to compare engines token by token)."""
        specials = self.codec.specials
        return [
            [t for t in tokens if t not in specials]
            for tokens in self.generate_tokens(texts, options)
        ]

    def generate_tokens(self, texts: Sequence[str], options: GenerateOptions) -> list[list[str]]:
        """Generated tokens, special tokens included."""
        raise NotImplementedError


def forced_bos_token(path: Path) -> int | None:
    """The token a model forces first.

    generation_config.json's `forced_bos_token_id`, else config.json's, else config.json's legacy
    `force_bos_token_to_be_generated: true` (sshleifer/distilbart-cnn-6-6 has only that flag; it
    means "force bos_token_id", as transformers reads it when it builds the generation config).
    """
    for name in ("generation_config.json", "config.json"):
        file = path / name
        if not file.is_file():
            continue
        config = json.loads(file.read_text(encoding="utf-8"))
        if config.get("forced_bos_token_id") is not None:
            return int(config["forced_bos_token_id"])
        if name == "generation_config.json":
            return None  # transformers ignores config.json when this file exists
        if config.get("force_bos_token_to_be_generated"):
            return int(config.get("bos_token_id", 0))
    return None
