"""Transformers (torch) engine: AutoModelForSeq2SeqLM.generate on CPU or CUDA."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from models.engines.base import GenerateOptions, TokenizedEngine

log = logging.getLogger(__name__)


class TransformersEngine(TokenizedEngine):
    """A Hugging Face seq2seq model (BART, Marian, ...) run by torch."""

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        max_input_tokens: int,
        device: str = "cpu",
        dtype: str = "float32",
    ) -> None:
        """Load tokenizer and weights from a save_pretrained / hub snapshot folder.

        Args:
            path: folder with config.json, tokenizer files and weights.
            name: catalog name, for logs and metrics.
            max_input_tokens: longest input the model takes; longer inputs are cut (the
                pipeline chunks articles so that this never happens to them).
            device: "cpu" or "cuda".
            dtype: "float32", "float16" or "bfloat16".
        """
        import torch
        from transformers import AutoModelForSeq2SeqLM

        self.name = name
        self.max_input_tokens = max_input_tokens
        self._torch = torch
        self._device = device
        self._load_tokenizer(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=getattr(torch, dtype))
        self.model.to(device).eval()

    def generate_ids(self, texts: Sequence[str], options: GenerateOptions) -> list[list[int]]:
        with self.tokenizer_lock:
            batch = self.tokenizer(
                list(texts),
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_input_tokens,
            ).to(self._device)
        with self._torch.inference_mode():
            out = self.model.generate(
                **batch,
                # transformers counts a forced first token and the end token in these lengths;
                # GenerateOptions counts neither.
                max_new_tokens=options.max_new_tokens + self.prefix_length + 1,
                min_new_tokens=options.min_new_tokens + self.prefix_length,
                num_beams=options.num_beams,
                length_penalty=options.length_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
                do_sample=False,
                early_stopping=options.num_beams > 1,
            )
        return [[int(i) for i in row] for row in out]
