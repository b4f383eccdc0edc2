"""Transformers (torch) engine: AutoModelForSeq2SeqLM.generate on CPU or CUDA."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from precis_models.engines.base import GenerateOptions
from precis_models.engines.seq2seq import TokenizedEngine

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
        self._load_codec(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=getattr(torch, dtype))
        self.model.to(device).eval()
        self._pad = self.model.config.pad_token_id

    def generate_tokens(self, texts: Sequence[str], options: GenerateOptions) -> list[list[str]]:
        torch = self._torch
        ids = [self.codec.to_ids(tokens) for tokens in self.encode(texts)]
        width = max(len(row) for row in ids)
        input_ids = torch.tensor([row + [self._pad] * (width - len(row)) for row in ids])
        mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in ids])
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self._device),
                attention_mask=mask.to(self._device),
                # transformers counts a forced first token and the end token in these lengths;
                # GenerateOptions counts neither.
                max_new_tokens=options.max_new_tokens + len(self.prefix) + 1,
                min_new_tokens=options.min_new_tokens + len(self.prefix),
                num_beams=options.num_beams,
                length_penalty=options.length_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
                do_sample=False,
                # The same first token CTranslate2 gets as its prefix (also for configs with only
                # the legacy force_bos_token_to_be_generated flag).
                forced_bos_token_id=self.forced_bos,
                early_stopping=options.num_beams > 1,
            )
        return [self.codec.to_tokens(int(i) for i in row) for row in out]
