"""CTranslate2 engine: int8 (CPU) or float16 (GPU) inference of converted seq2seq models."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from precis_models.allocator import release_free_memory
from precis_models.engines.base import GenerateOptions
from precis_models.engines.seq2seq import TokenizedEngine
from precis_models.residency import Residency
from precis_models.thread_priority import ThreadPriority, thread_ids, threads_known

log = logging.getLogger(__name__)


class CTranslate2Engine(TokenizedEngine):
    """A model converted by CTranslate2's TransformersConverter, tokenized by its own codec (no
    transformers, no torch)."""

    def __init__(
        self,
        path: Path,
        tokenizer_path: Path,
        *,
        name: str,
        max_input_tokens: int,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int = 1,
        workers: int = 1,
        keep_alive_s: float = 0.0,
        background_nice: int = 0,
    ) -> None:
        """Load a converted model.

        Args:
            path: the CTranslate2 model folder.
            tokenizer_path: folder with the original tokenizer files.
            name: catalog name, for logs and metrics.
            max_input_tokens: longest input the model takes; longer inputs are cut.
            device: "cpu" or "cuda".
            compute_type: "int8", "int8_float16", "float16", "float32", ...
            threads: intra-op threads of one call.
            workers: calls that may run at once (replicas; on CPU they share the weights).
            keep_alive_s: 0 keeps the weights loaded; above 0 they are unloaded at once and
                then loaded by the calls that need them, until idle this long (Residency).
            background_nice: above 0, the nice value of the model's threads while they run
                only background calls (ThreadPriority; one thread per call only: more are
                started by the first call, out of sight).
        """
        import ctranslate2

        self.name = name
        self.max_input_tokens = max_input_tokens
        self.parallelism = workers
        # BART-style models force a first token (<s>); transformers does it via the generation
        # config, CTranslate2 needs it as a target prefix to decode the same way.
        self._load_codec(tokenizer_path)
        before = thread_ids()
        self.translator = ctranslate2.Translator(
            str(path),
            device=device,
            compute_type=compute_type,
            inter_threads=workers,
            intra_threads=threads,
        )
        self.thread_priority = (
            ThreadPriority.of_new_threads(
                before, expected=workers, background=background_nice, name=name
            )
            if background_nice > 0 and threads_known(device, threads)
            else None
        )
        self.residency = Residency(self._load, self._unload, keep_alive_s=keep_alive_s, name=name)
        if self.residency.on_demand:
            self._unload()  # before the next model loads: one in memory at a time

    def _load(self) -> None:
        self.translator.load_model()
        release_free_memory()  # what reading the weights left behind

    def _unload(self) -> bool:
        """Unload the weights; False if a replica kept them (it was still ending a call)."""
        self.translator.unload_model()
        if self.translator.model_is_loaded:
            return False
        release_free_memory()  # the weights' pages back to the system now
        return True

    def generate_tokens(self, texts: Sequence[str], options: GenerateOptions) -> list[list[str]]:
        source = self.encode(texts)
        with self.residency.use():
            results = self.translator.translate_batch(
                source,
                target_prefix=[self.prefix] * len(source) if self.prefix else None,
                beam_size=options.num_beams,
                # CTranslate2 counts the target prefix in both lengths.
                max_decoding_length=options.max_new_tokens + len(self.prefix),
                min_decoding_length=options.min_new_tokens + len(self.prefix),
                length_penalty=options.length_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
            )
        return [r.hypotheses[0] for r in results]
