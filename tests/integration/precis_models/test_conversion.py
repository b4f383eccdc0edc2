"""Converting a transformers folder into a CTranslate2 folder (the tiny models are the input)."""

from __future__ import annotations

from pathlib import Path

import ctranslate2
import pytest

from precis_models.conversion import convert_to_ctranslate2
from precis_models.store import transformers_path
from tests.support import tiny_spec


def test_convert_to_int8(model_dir: Path, tmp_path: Path) -> None:
    source = transformers_path(tiny_spec("tiny-marian-en-fr"), model_dir)
    dst = tmp_path / "int8"
    dst.mkdir()
    (dst / "stale.bin").write_bytes(b"x")
    convert_to_ctranslate2(source, dst, quantization="int8")
    assert not (dst / "stale.bin").exists()
    translator = ctranslate2.Translator(str(dst), device="cpu", compute_type="int8")
    assert translator.translate_batch([["▁The", "</s>"]], max_decoding_length=3)[0].hypotheses
    with pytest.raises(ValueError, match="unknown quantization"):
        convert_to_ctranslate2(source, dst, quantization="int4")
    with pytest.raises(FileNotFoundError):
        convert_to_ctranslate2(tmp_path, dst, quantization=None)
