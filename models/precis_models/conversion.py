"""Convert a transformers model folder into a CTranslate2 model folder."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from precis_models.store import staged

logger = logging.getLogger(__name__)

QUANTIZATIONS = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)


def convert_to_ctranslate2(src: Path, dst: Path, *, quantization: str | None) -> None:
    """Convert a seq2seq model saved with ``save_pretrained`` to CTranslate2.

    The conversion is written to a temporary sibling of ``dst`` and moved into place only when it
    has succeeded, so an interrupted conversion never leaves a half-written model at ``dst``; an
    existing ``dst`` is replaced. The loader picks its ``compute_type`` at load time, whatever the
    stored type.

    Args:
        src: Folder holding ``config.json``, the weights and the tokenizer files (the converter
            reads the vocabulary through ``AutoTokenizer``).
        dst: Folder to create (``model.bin``, ``config.json``, ``shared_vocabulary.json``).
        quantization: Stored weight type, one of ``QUANTIZATIONS`` (``"int8"`` for downloaded
            models served on CPU, ``"float32"`` to keep full precision), or ``None`` to keep the
            dtype the weights were saved in.

    Raises:
        FileNotFoundError: ``src`` has no ``config.json``.
        ValueError: ``quantization`` is not one of ``QUANTIZATIONS``, or CTranslate2 does not
            support the model's architecture.
    """
    if not (src / "config.json").is_file():
        raise FileNotFoundError(f"no config.json in {src}: not a transformers model folder")
    if quantization is not None and quantization not in QUANTIZATIONS:
        raise ValueError(
            f"unknown quantization {quantization!r}; use one of {', '.join(QUANTIZATIONS)} or None"
        )

    from ctranslate2.converters import TransformersConverter

    started = time.perf_counter()
    with staged(dst) as out:
        # force: the converter refuses a folder that exists, even the empty one given here.
        TransformersConverter(str(src)).convert(str(out), quantization=quantization, force=True)
    logger.info(
        "converted %s to CTranslate2 (%s) at %s in %.1f s",
        src,
        quantization or "saved dtype",
        dst,
        time.perf_counter() - started,
    )


def write_tokenizer_json(folder: Path) -> None:
    """Give a downloaded model the `tokenizer.json` serving reads (models.engines.codec).

    Older hub repositories (distilbart-cnn-12-6 among them) ship only the slow tokenizer's files
    (vocab.json + merges.txt); transformers builds the fast tokenizer from them, and we save it.
    Marian folders keep their sentencepiece files, which the codec reads directly.
    """
    if (folder / "tokenizer.json").is_file() or (folder / "source.spm").is_file():
        return
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
    logger.info("wrote %s", folder / "tokenizer.json")
