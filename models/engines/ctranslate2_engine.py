"""CTranslate2 engine: int8 (CPU) or float16 (GPU) inference of converted seq2seq models."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from models.engines.base import GenerateOptions, TokenizedEngine

log = logging.getLogger(__name__)


class CTranslate2Engine(TokenizedEngine):
    """A model converted by CTranslate2's TransformersConverter, tokenized by its HF tokenizer."""

    def __init__(
        self,
        path: Path,
        tokenizer_path: Path,
        *,
        name: str,
        max_input_tokens: int,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int = 0,
    ) -> None:
        """Load a converted model.

        Args:
            path: the CTranslate2 model folder.
            tokenizer_path: folder with the original tokenizer files.
            name: catalog name, for logs and metrics.
            max_input_tokens: longest input the model takes; longer inputs are cut.
            device: "cpu" or "cuda".
            compute_type: "int8", "int8_float16", "float16", "float32", ...
            threads: intra-op threads (0 = all cores).
        """
        import ctranslate2

        self.name = name
        self.max_input_tokens = max_input_tokens
        # BART-style models force a first token (<s>); transformers does it via the generation
        # config, CTranslate2 needs it as a target prefix to decode the same way.
        forced = self._load_tokenizer(tokenizer_path)
        self._prefix = (
            [self.tokenizer.convert_ids_to_tokens(forced)] if forced is not None else None
        )
        # One batch at a time per model (the batcher's worker), all cores inside it.
        self.translator = ctranslate2.Translator(
            str(path),
            device=device,
            compute_type=compute_type,
            inter_threads=1,
            intra_threads=threads,
        )

    def generate_ids(self, texts: Sequence[str], options: GenerateOptions) -> list[list[int]]:
        with self.tokenizer_lock:
            encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_input_tokens)
            source = [self.tokenizer.convert_ids_to_tokens(ids) for ids in encoded["input_ids"]]
        results = self.translator.translate_batch(
            source,
            target_prefix=[self._prefix] * len(source) if self._prefix else None,
            beam_size=options.num_beams,
            # CTranslate2 counts the target prefix in both lengths.
            max_decoding_length=options.max_new_tokens + self.prefix_length,
            min_decoding_length=options.min_new_tokens + self.prefix_length,
            length_penalty=options.length_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
        )
        with self.tokenizer_lock:
            return [self.tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
