"""The serving codecs tokenize exactly as the transformers tokenizers of the same folders."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from precis_models.engines.codec import load_codec, truncate
from precis_models.sentences import split_sentences
from precis_models.store import transformers_path
from tests.support import (
    article,
    tiny_spec,
)

LANGUAGES = ("en", "fr", "uk", "ru")


def _folder(model_dir: Path, name: str) -> Path:
    return transformers_path(tiny_spec(name), model_dir)


def _texts(prefix: str = "") -> list[str]:
    texts = [s for lang in LANGUAGES for s in split_sentences(article(lang))[:5]]
    # Characters outside the training text, odd spacing, an empty string.
    texts += ["Ґанок — 12,5 °C, “quotes” ☂ émoji 🙂", "  two  spaces ", ""]
    return [prefix + t for t in texts]


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("tiny-bart", ""), ("tiny-marian-en-fr", ""), ("tiny-marian-en-zle", ">>ukr<< ")],
)
def test_codec_matches_the_transformers_tokenizer(model_dir: Path, name: str, prefix: str) -> None:
    folder = _folder(model_dir, name)
    codec, reference = load_codec(folder), AutoTokenizer.from_pretrained(folder)
    texts = _texts(prefix)
    expected = reference(texts)["input_ids"]
    tokens = codec.encode(texts)
    assert [codec.to_ids(t) for t in tokens] == expected
    assert codec.decode(tokens) == reference.batch_decode(expected, skip_special_tokens=True)
    cut = reference(texts, truncation=True, max_length=8)["input_ids"]
    assert [codec.to_ids(truncate(t, 8)) for t in tokens] == cut


def test_ids_and_tokens_round_trip(model_dir: Path) -> None:
    codec = load_codec(_folder(model_dir, "tiny-marian-en-fr"))
    tokens = codec.encode(["The council met on Tuesday."])[0]
    assert codec.to_tokens(codec.to_ids(tokens)) == tokens


@pytest.mark.parametrize("name", ["tiny-bart", "tiny-marian-en-fr", "tiny-marian-zle-en"])
def test_codec_decodes_model_output_as_transformers_does(model_dir: Path, name: str) -> None:
    """Random ids stand for what random weights generate: byte pieces, specials, anything."""
    folder = _folder(model_dir, name)
    codec, reference = load_codec(folder), AutoTokenizer.from_pretrained(folder)
    rng = random.Random(0)
    outputs = [[rng.randrange(len(reference) - 1) for _ in range(24)] for _ in range(40)]
    expected = reference.batch_decode(outputs, skip_special_tokens=True)
    assert codec.decode([codec.to_tokens(ids) for ids in outputs]) == expected
